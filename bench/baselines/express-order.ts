// Baseline: a minimal Express 5 + pg handler for GET /orders/:id, running the repository's
// SELECT for one order (imported from src/orders/order-repository.ts) on a pool of the same
// size as the service's. No request ids, logging, helmet, validation or metrics.
import express from "express";
import { Pool } from "pg";
import { SELECT_ORDER_BY_ID } from "../../src/orders/order-repository";

const pool = new Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.PG_POOL_MAX),
});

interface OrderRow {
  id: string;
  customer_id: string;
  status: string;
  total_cents: string;
  currency: string;
  created_at: Date;
  updated_at: Date;
  items: unknown[];
}

const app = express();
app.disable("x-powered-by");
app.set("etag", false);

app.get("/orders/:id", async (req, res) => {
  const { rows } = await pool.query<OrderRow>(SELECT_ORDER_BY_ID, [req.params.id]);
  const row = rows[0];
  if (!row) {
    res.status(404).json({ title: "Not Found" });
    return;
  }
  // The same response shape as the service, so both send the same bytes.
  res.json({
    id: row.id,
    customerId: row.customer_id,
    status: row.status,
    totalCents: Number(row.total_cents),
    currency: row.currency,
    items: row.items,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  });
});

app.get("/health/live", (_req, res) => {
  res.json({ status: "ok" });
});

app.listen(Number(process.env.PORT));
