// One circuit breaker per upstream, created once per process, with state changes logged
// (warn when one opens, info otherwise) and reported to whoever listens (metrics).
import type { Config } from "../config";
import type { Logger } from "../infra/logger";
import { CircuitBreaker, type BreakerStateChange } from "./circuit-breaker";
import { isUpstreamFailure } from "./upstream-errors";

export function createUpstreamBreaker<Args extends unknown[], Result>(
  name: string,
  action: (...args: Args) => Promise<Result>,
  settings: Config["breaker"],
  logger: Logger,
  onStateChange?: (change: BreakerStateChange) => void,
): CircuitBreaker<Args, Result> {
  return new CircuitBreaker(action, {
    name,
    failureThreshold: settings.failureThreshold,
    resetTimeoutMs: settings.resetTimeoutMs,
    successThreshold: settings.successThreshold,
    isFailure: isUpstreamFailure,
    onStateChange: (change) => {
      const message = `circuit breaker ${change.to}`;
      if (change.to === "open") logger.warn(change, message);
      else logger.info(change, message);
      onStateChange?.(change);
    },
  });
}
