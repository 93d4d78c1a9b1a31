// Probe endpoints (DESIGN.md "Runtime contract"). Mounted before everything that could
// refuse or slow them (body parsing, future rate limits, fault injection).
import { Router } from "express";
import type { Lifecycle } from "../lifecycle/lifecycle";
import { ReadinessChecker, type DependencyCheck } from "../lifecycle/readiness";
import type { Logger } from "../infra/logger";

export interface HealthRoutesOptions {
  readonly lifecycle: Lifecycle;
  readonly checks: readonly DependencyCheck[];
  readonly checkTimeoutMs: number;
  readonly logger: Logger;
  /** Informational state (e.g. circuit breakers) shown on /health/ready; never decides it. */
  readonly details?: () => Record<string, unknown>;
}

export function healthRoutes(options: HealthRoutesOptions): Router {
  const router = Router();
  const readiness = new ReadinessChecker({
    checks: options.checks,
    timeoutMs: options.checkTimeoutMs,
    onFailure: (name, err) => options.logger.warn({ err, check: name }, "readiness check failed"),
  });

  // Liveness looks at nothing but the process: restarting a pod because its database is down
  // would not bring the database back.
  router.get("/health/live", (_req, res) => {
    res.set("Cache-Control", "no-store").json({ status: "ok" });
  });

  router.get("/health/startup", (_req, res) => {
    const started = options.lifecycle.hasStarted;
    res
      .status(started ? 200 : 503)
      .set("Cache-Control", "no-store")
      .json({ status: started ? "ok" : "starting" });
  });

  router.get("/health/ready", async (_req, res) => {
    const { lifecycle } = options;
    res.set("Cache-Control", "no-store");
    if (lifecycle.state !== "serving") {
      res.status(503).json({ status: lifecycle.state });
      return;
    }
    const report = await readiness.check();
    // Shutdown may have begun while the checks ran.
    const ready = report.ready && !lifecycle.isShuttingDown;
    res.status(ready ? 200 : 503).json({
      status: lifecycle.isShuttingDown
        ? lifecycle.state
        : !ready
          ? "unavailable"
          : report.degraded
            ? "degraded"
            : "ok",
      checks: report.checks,
      ...options.details?.(),
    });
  });
  return router;
}
