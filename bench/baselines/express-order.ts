// Baseline: a minimal Express 5 + pg handler for GET /orders/:id, as a bare resource server
// would write it. It verifies the caller's RS256 bearer token on EVERY request with jose
// (`jwtVerify` against the identity provider's keys, fetched once at start; the service's
// algorithms, iss, aud, exp with the same clock tolerance), then runs the repository's SELECT
// and row mapping for one order (imported from src/orders/order-repository.ts) on a pool of the
// same size as the service's, and answers 404 for another customer's order. No request ids,
// logging, helmet, validation, metrics or token cache.
import type { Express } from "express";
import { Pool } from "pg";
import { SELECT_CUSTOMER_ORDER, toOrder, type OrderRow } from "../../src/orders/order-repository";
import { createBearerCheck } from "./bearer-check";
import { baselineApp, serveBaseline } from "./serve-baseline";

async function main(): Promise<Express> {
  const env = process.env;
  const callerOf = await createBearerCheck(env);

  const pool = new Pool({ connectionString: env.DATABASE_URL, max: Number(env.PG_POOL_MAX) });

  const app = baselineApp();

  app.get("/orders/:id", async (req, res) => {
    const caller = await callerOf(req);
    if (!caller) {
      res.status(401).set("WWW-Authenticate", "Bearer").json({ title: "Unauthorized" });
      return;
    }
    const { rows } = await pool.query<OrderRow>(SELECT_CUSTOMER_ORDER, [req.params.id, caller]);
    const row = rows[0];
    if (!row) {
      res.status(404).json({ title: "Not Found" });
      return;
    }
    // The same row-to-JSON mapping as the service, so both do the same work and send the same bytes.
    res.json(toOrder(row));
  });

  return app;
}

serveBaseline(main);
