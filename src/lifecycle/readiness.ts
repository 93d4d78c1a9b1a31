// Readiness = "send me traffic": the backing services this process cannot serve without.
// Each check has its own deadline so one hung dependency cannot hold the probe past its timeout.

export interface DependencyCheck {
  readonly name: string;
  run(signal: AbortSignal): Promise<unknown>;
}

export interface CheckResult {
  readonly status: "up" | "down";
  readonly durationMs: number;
  /** A short, fixed reason: probe answers are public, driver messages stay in the logs. */
  readonly reason?: "timeout" | "error";
}

export interface ReadinessReport {
  readonly ready: boolean;
  readonly checks: Record<string, CheckResult>;
}

export async function checkDependencies(
  checks: readonly DependencyCheck[],
  timeoutMs: number,
  onFailure: (name: string, error: unknown) => void,
): Promise<ReadinessReport> {
  const results = await Promise.all(
    checks.map(async (check): Promise<[string, CheckResult]> => {
      const started = performance.now();
      const signal = AbortSignal.timeout(timeoutMs);
      try {
        await Promise.race([check.run(signal), rejectWhenAborted(signal)]);
        return [check.name, { status: "up", durationMs: elapsed(started) }];
      } catch (error) {
        onFailure(check.name, error);
        const reason = signal.aborted ? "timeout" : "error";
        return [check.name, { status: "down", durationMs: elapsed(started), reason }];
      }
    }),
  );
  return {
    ready: results.every(([, result]) => result.status === "up"),
    checks: Object.fromEntries(results),
  };
}

function rejectWhenAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    signal.addEventListener("abort", () => reject(new Error("check timed out")), { once: true });
  });
}

function elapsed(started: number): number {
  return Math.round(performance.now() - started);
}
