// Baseline: a minimal Express 5 + pg + fetch handler for POST /orders, as a bare resource
// server would write it, doing the same work as the service for one order: the bearer token
// verified on every request (bearer-check.ts), each product read from the same Redis cache
// (`<prefix>product:<id>`, filled from the product service on a miss), the order and its lines
// inserted in one transaction, the charge posted to the payment service with the order id as
// its Idempotency-Key, the order settled with one UPDATE ... RETURNING, 201 with the order.
// No request ids, logging, helmet, validation, retries, breaker, metrics, rate limit or
// idempotency keys of its own.
import { randomUUID } from "node:crypto";
import express, { type Express } from "express";
import { Redis } from "ioredis";
import { Pool } from "pg";
import { createBearerCheck } from "./bearer-check";
import { baselineApp, serveBaseline } from "./serve-baseline";

interface Product {
  readonly priceCents: number;
  readonly currency: string;
}

interface OrderBody {
  readonly items: readonly { readonly productId: string; readonly quantity: number }[];
  readonly paymentToken: string;
}

async function main(): Promise<Express> {
  const env = process.env;
  const callerOf = await createBearerCheck(env);
  const pool = new Pool({ connectionString: env.DATABASE_URL, max: Number(env.PG_POOL_MAX) });
  const redis = new Redis(env.REDIS_URL!, { keyPrefix: env.REDIS_KEY_PREFIX });
  const cacheTtlS = Number(env.PRODUCT_CACHE_TTL_S);

  async function productOf(id: string): Promise<Product> {
    const cached = await redis.get(`product:${id}`);
    if (cached) return (JSON.parse(cached) as { product: Product }).product;
    const response = await fetch(`${env.PRODUCT_API_URL}/products/${encodeURIComponent(id)}`, {
      signal: AbortSignal.timeout(2000),
    });
    if (!response.ok) throw new Error(`product ${id}: ${response.status}`);
    const product = (await response.json()) as Product;
    await redis.set(
      `product:${id}`,
      JSON.stringify({ product, storedAt: Date.now() }),
      "EX",
      cacheTtlS,
    );
    return product;
  }

  const app = baselineApp();

  app.post("/orders", express.json(), async (req, res) => {
    const caller = await callerOf(req);
    if (!caller) {
      res.status(401).set("WWW-Authenticate", "Bearer").json({ title: "Unauthorized" });
      return;
    }
    const { items, paymentToken } = req.body as OrderBody;
    const ids = [...new Set(items.map((item) => item.productId))];
    const products = new Map(
      await Promise.all(ids.map(async (id) => [id, await productOf(id)] as const)),
    );
    const lines = items.map((item) => ({
      productId: item.productId,
      quantity: item.quantity,
      unitPriceCents: products.get(item.productId)!.priceCents,
    }));
    const currency = products.get(ids[0]!)!.currency;
    const totalCents = lines.reduce((sum, line) => sum + line.quantity * line.unitPriceCents, 0);
    const id = randomUUID();

    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      await client.query(
        `INSERT INTO orders (id, customer_id, status, total_cents, currency, payment_token)
         VALUES ($1, $2, 'pending', $3, $4, $5)`,
        [id, caller, totalCents, currency, paymentToken],
      );
      await client.query(
        `INSERT INTO order_lines (order_id, line_no, product_id, quantity, unit_price_cents)
         SELECT $1, n - 1, p, q, c
         FROM unnest($2::text[], $3::int[], $4::int[]) WITH ORDINALITY AS l(p, q, c, n)`,
        [
          id,
          lines.map((line) => line.productId),
          lines.map((line) => line.quantity),
          lines.map((line) => line.unitPriceCents),
        ],
      );
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK");
      throw error;
    } finally {
      client.release();
    }

    const charge = await fetch(`${env.PAYMENT_API_URL}/charges`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${env.PAYMENT_API_KEY}`,
        "idempotency-key": id,
        "content-type": "application/json",
      },
      body: JSON.stringify({ orderId: id, amountCents: totalCents, currency, token: paymentToken }),
      signal: AbortSignal.timeout(5000),
    });
    const paid = charge.status === 201 || charge.status === 200;
    const chargeId = paid ? ((await charge.json()) as { id: string }).id : null;
    if (!paid) await charge.arrayBuffer();
    const { rows } = await pool.query<{ status: string; created_at: Date; updated_at: Date }>(
      `UPDATE orders
       SET status = $2, payment_id = $3, payment_token = NULL, updated_at = now()
       WHERE id = $1 AND status = 'pending'
       RETURNING status, created_at, updated_at`,
      [id, paid ? "paid" : charge.status === 402 ? "payment_failed" : "pending", chargeId],
    );
    const row = rows[0]!;
    res.status(paid ? 201 : 402).json({
      id,
      customerId: caller,
      status: row.status,
      totalCents,
      currency,
      items: lines,
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
    });
  });

  return app;
}

serveBaseline(main);
