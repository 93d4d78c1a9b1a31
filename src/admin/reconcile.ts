// `npm run reconcile` / `node dist/admin/reconcile.js [--limit N]`: settles pending orders
// older than RECONCILE_MIN_AGE_MS and removes expired Idempotency-Key records, then prints a
// one-line JSON summary. Exit codes: 0 done (orders the payment service could not charge stay
// pending for the next run); 75 (EX_TEMPFAIL) stopped early because the payment breaker
// opened, so a scheduler shows the run as failed and it is retried; 1 failed itself (bad
// config, bad arguments, database down).
import { parseConfig, readEnvironment } from "../config";
import { createPaymentClient } from "../clients/payment-client";
import { createLogger } from "../infra/logger";
import { createPostgresPool } from "../infra/postgres";
import { IdempotencyStore } from "../idempotency/idempotency-store";
import { OrderReconciler } from "../orders/order-reconciler";
import { OrderRepository } from "../orders/order-repository";
import { PendingOrderCharger } from "../orders/pending-order-charger";
import { parseAdminArguments, runAdminProcess, UsageError } from "./run-admin-process";

/** sysexits' EX_TEMPFAIL: "a temporary failure; retry later". */
const EXIT_STOPPED_EARLY = 75;

const USAGE = "reconcile [--limit N]   (N: 1..100000 orders per run, default 1000)";

function parseLimit(text: string | undefined): number {
  if (text === undefined) return 1000;
  const limit = Number(text);
  if (!/^\d+$/.test(text) || limit < 1 || limit > 100_000) {
    throw new UsageError(
      `--limit must be a whole number from 1 to 100000, got "${text}"\nusage: ${USAGE}`,
    );
  }
  return limit;
}

runAdminProcess("reconcile", async () => {
  const args = parseAdminArguments(USAGE, { limit: { type: "string" } });
  const limit = parseLimit(args.limit);
  const config = parseConfig(readEnvironment());
  const logger = createLogger({
    level: config.log.level,
    secretValues: [config.paymentApi.apiKey],
  });
  // Orders are settled one at a time: two connections are plenty.
  const pool = createPostgresPool(
    { ...config.database, poolMax: 2 },
    logger,
    "order-service-reconcile",
  );
  const payment = createPaymentClient(config, logger);
  try {
    const repository = new OrderRepository(pool);
    const charger = new PendingOrderCharger({
      repository,
      paymentGateway: payment.gateway,
      logger,
    });
    const summary = await new OrderReconciler({
      repository,
      charger,
      logger,
      minAgeMs: config.reconcile.minAgeMs,
      limit,
    }).run();
    const expiredKeys = await new IdempotencyStore(pool, config.idempotency).deleteExpired();
    logger.info({ ...summary, expiredIdempotencyKeys: expiredKeys }, "reconcile finished");
    if (summary.stoppedEarly) process.exitCode = EXIT_STOPPED_EARLY;
  } finally {
    payment.breaker.shutdown();
    await pool.end();
  }
});
