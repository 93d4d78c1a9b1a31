// What the probes (src/http/health-routes.ts) answer, as zod schemas the document is generated
// from; the compile-time checks tie the enums to the types the probes are written with.
import { z } from "zod";
import type { LifecycleState } from "../../lifecycle/lifecycle";
import type { CheckResult } from "../../lifecycle/readiness";
import type { BreakerState } from "../../resilience/circuit-breaker";

export const livenessAnswer = z
  .object({ status: z.literal("ok") })
  .meta({ description: "The process runs; nothing else is looked at." });

export const startupAnswer = z
  .object({ status: z.enum(["ok", "starting"]) })
  .meta({ description: "`starting` until migrations are verified and the pools are warm." });

const checkResult = z
  .object({
    status: z.enum(["up", "down"]),
    durationMs: z.int().min(0),
    reason: z.enum(["timeout", "error"]).optional().meta({
      description: "Why a check is down; driver messages stay in the logs.",
    }),
  })
  .meta({ description: "One dependency check of this probe." });

const breakerState = z.enum(["closed", "open", "half-open"]);

export const readinessAnswer = z
  .object({
    status: z.enum(["ok", "degraded", "unavailable", "starting", "shutting-down"]).meta({
      description:
        "`ok`; `degraded`: ready, but a dependency that does not decide readiness (Redis) is " +
        "down; `unavailable`: Postgres failed its check; `starting` and `shutting-down`: the " +
        "process's lifecycle state, which alone decides the answer then.",
    }),
    checks: z.record(z.string(), checkResult).optional().meta({
      description: "Each dependency check, by name; absent while starting or shutting down.",
    }),
    breakers: z
      .record(z.string(), breakerState)
      .optional()
      .meta({
        description:
          "The circuit breakers' states, by upstream: shown, never decisive (an open breaker " +
          "must not take every replica out of the load balancer).",
      }),
  })
  .meta({ description: "Whether this replica should get traffic." });

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

// Compile-time only: each fails `tsc` when an enum here and the type it shows part ways.
export const checkResultDescribesCheckResult: Same<z.infer<typeof checkResult>, CheckResult> = true;
export const breakerStateDescribesBreakerState: Same<
  z.infer<typeof breakerState>,
  BreakerState
> = true;
export const readinessStatusCoversLifecycle: Same<
  Exclude<LifecycleState, "serving">,
  Extract<z.infer<typeof readinessAnswer>["status"], LifecycleState>
> = true;
