// Readiness = "send me traffic". Only what every request needs decides it (DESIGN.md "Runtime
// contract": Postgres); the rest (Redis, a cache) is reported, never decisive: it is down for
// every replica at once, and taking them all out of the load balancer would turn a degraded
// service into an outage. Each check has its own deadline, and concurrent probes share the
// run in flight of each check, so a probe flood cannot queue work on a backing service.

export interface DependencyCheck {
  readonly name: string;
  /** Whether a failure makes the pod unready; a non-decisive check is only reported. */
  readonly decisive: boolean;
  run(): Promise<unknown>;
}

export interface CheckResult {
  readonly status: "up" | "down";
  readonly durationMs: number;
  /** A short, fixed reason: probe answers are public, driver messages stay in the logs. */
  readonly reason?: "timeout" | "error";
}

export interface ReadinessReport {
  readonly ready: boolean;
  /** Ready, but a non-decisive dependency is down. */
  readonly degraded: boolean;
  readonly checks: Record<string, CheckResult>;
}

export interface ReadinessCheckerOptions {
  readonly checks: readonly DependencyCheck[];
  readonly timeoutMs: number;
  /** Called once per failed run of a check, not once per probe that waited for it. */
  readonly onFailure: (name: string, error: unknown) => void;
}

const TIMED_OUT = Symbol("timed out");

export class ReadinessChecker {
  readonly #inFlight = new Map<string, Promise<unknown>>();

  constructor(private readonly options: ReadinessCheckerOptions) {}

  async check(): Promise<ReadinessReport> {
    const results = await Promise.all(
      this.options.checks.map(async (check) => [check, await this.#result(check)] as const),
    );
    const down = results.filter(([, result]) => result.status === "down");
    return {
      ready: down.every(([check]) => !check.decisive),
      degraded: down.length > 0,
      checks: Object.fromEntries(results.map(([check, result]) => [check.name, result])),
    };
  }

  async #result(check: DependencyCheck): Promise<CheckResult> {
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<typeof TIMED_OUT>((resolve) => {
      timer = setTimeout(resolve, this.options.timeoutMs, TIMED_OUT);
    });
    try {
      const outcome = await Promise.race([this.#shared(check), timedOut]);
      const durationMs = Math.round(performance.now() - started);
      return outcome === TIMED_OUT
        ? { status: "down", durationMs, reason: "timeout" }
        : { status: "up", durationMs };
    } catch {
      return {
        status: "down",
        durationMs: Math.round(performance.now() - started),
        reason: "error",
      };
    } finally {
      clearTimeout(timer);
    }
  }

  /** The check's run in flight, or a new one: at most one run per check at any time. */
  #shared(check: DependencyCheck): Promise<unknown> {
    let run = this.#inFlight.get(check.name);
    if (!run) {
      run = check.run().finally(() => this.#inFlight.delete(check.name));
      run.catch((error: unknown) => this.options.onFailure(check.name, error));
      this.#inFlight.set(check.name, run);
    }
    return run;
  }
}
