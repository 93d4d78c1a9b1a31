// Baseline: a minimal Express 5 + pg handler for GET /orders/:id, running the repository's
// SELECT and row mapping for one order (imported from src/orders/order-repository.ts) on a pool of the same
// size as the service's. No request ids, logging, helmet, validation or metrics.
import express from "express";
import { Pool } from "pg";
import { SELECT_ORDER_BY_ID, toOrder, type OrderRow } from "../../src/orders/order-repository";

const pool = new Pool({
  connectionString: process.env.DATABASE_URL,
  max: Number(process.env.PG_POOL_MAX),
});

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
  // The same row-to-JSON mapping as the service, so both do the same work and send the same bytes.
  res.json(toOrder(row));
});

app.get("/health/live", (_req, res) => {
  res.json({ status: "ok" });
});

app.listen(Number(process.env.PORT));
