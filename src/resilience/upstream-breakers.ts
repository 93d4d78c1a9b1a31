// One circuit breaker per upstream, created once per process, with state changes logged
// (warn when one opens, info otherwise) and counted, and every upstream call timed.
import type { Config } from "../config";
import type { Logger } from "../infra/logger";
import type { Metrics } from "../infra/metrics";
import { BREAKER_STATE_VALUES } from "../infra/runtime-metrics";
import { CircuitBreaker } from "./circuit-breaker";
import { isUpstreamFailure } from "./upstream-errors";

export interface UpstreamBreakerContext {
  readonly settings: Config["breaker"];
  readonly logger: Logger;
  readonly metrics: Metrics;
}

export function createUpstreamBreaker<Args extends unknown[], Result>(
  upstream: string,
  action: (...args: Args) => Promise<Result>,
  { settings, logger, metrics }: UpstreamBreakerContext,
): CircuitBreaker<Args, Result> {
  const timedAction = async (...args: Args): Promise<Result> => {
    const started = performance.now();
    let outcome = "success";
    try {
      return await action(...args);
    } catch (error) {
      outcome = isUpstreamFailure(error) ? "failure" : "client_error";
      throw error;
    } finally {
      metrics.timing("upstream.duration", performance.now() - started, { upstream, outcome });
    }
  };
  return new CircuitBreaker(timedAction, {
    name: upstream,
    failureThreshold: settings.failureThreshold,
    resetTimeoutMs: settings.resetTimeoutMs,
    successThreshold: settings.successThreshold,
    isFailure: isUpstreamFailure,
    onStateChange: (change) => {
      const message = `circuit breaker ${change.to}`;
      if (change.to === "open") logger.warn(change, message);
      else logger.info(change, message);
      metrics.increment("breaker.transitions", { breaker: upstream, to: change.to });
      metrics.gauge("breaker.state", BREAKER_STATE_VALUES[change.to], { breaker: upstream });
    },
  });
}
