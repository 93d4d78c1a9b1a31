// Baseline: a minimal Express 5 + pg handler for GET /orders/:id, as a bare resource server
// would write it. It verifies the caller's RS256 bearer token on EVERY request with jose
// (`jwtVerify` against the identity provider's keys, fetched once at start; the service's
// algorithms, iss, aud, exp with the same clock tolerance), then runs the repository's SELECT
// and row mapping for one order (imported from src/orders/order-repository.ts) on a pool of the
// same size as the service's, and answers 404 for another customer's order. No request ids,
// logging, helmet, validation, metrics or token cache.
import express from "express";
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from "jose";
import { Pool } from "pg";
import { ACCEPTED_ALGORITHMS } from "../../src/auth/token-verifier";
import { SELECT_CUSTOMER_ORDER, toOrder, type OrderRow } from "../../src/orders/order-repository";

const BEARER = /^Bearer +(\S+)$/i;

async function main(): Promise<void> {
  const env = process.env;
  const response = await fetch(env.AUTH_JWKS_URL!, { signal: AbortSignal.timeout(5000) });
  if (!response.ok) throw new Error(`JWKS answered ${response.status}`);
  const keys = createLocalJWKSet((await response.json()) as JSONWebKeySet);
  const verifyOptions = {
    algorithms: ACCEPTED_ALGORITHMS,
    issuer: env.AUTH_ISSUER!,
    audience: env.AUTH_AUDIENCE!,
    clockTolerance: Number(env.AUTH_CLOCK_TOLERANCE_S),
    requiredClaims: ["sub", "exp"],
  };

  const pool = new Pool({ connectionString: env.DATABASE_URL, max: Number(env.PG_POOL_MAX) });

  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);

  app.get("/orders/:id", async (req, res) => {
    const token = BEARER.exec(req.headers.authorization ?? "")?.[1];
    let caller: string | undefined;
    try {
      if (token) caller = (await jwtVerify(token, keys, verifyOptions)).payload.sub;
    } catch {
      caller = undefined;
    }
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

  app.get("/health/live", (_req, res) => {
    res.json({ status: "ok" });
  });

  app.listen(Number(env.PORT));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
