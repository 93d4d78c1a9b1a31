// One load step of a scaling curve: autocannon against one target at one connection count,
// for a fixed time or until `stop` settles (e.g. the service's next metrics report arrives), so
// consecutive steps can be lined up with the service's own 10 s reporting intervals.
import autocannon from "autocannon";
import { cpuSeconds } from "./cpu-time";
import type { LoadTarget, RoundFigures } from "./load";

export interface StepFigures extends RoundFigures {
  /** How long the step actually ran. */
  readonly durationS: number;
}

export interface StepEnd {
  /** The longest the step may run. */
  readonly maxS: number;
  /** Ends the step early once it settles. */
  readonly stop?: Promise<unknown>;
}

// autocannon only looks at its stop flag when it takes a sample (every second by default);
// sampling every 50 ms lets a step end within 50 ms of `stop` instead of up to 1 s later.
const SAMPLE_INTERVAL_MS = 50;

export async function loadStep(
  target: LoadTarget,
  connections: number,
  end: StepEnd,
): Promise<StepFigures> {
  // sampleInt is an autocannon option bench/autocannon.d.ts does not list.
  const options: autocannon.Options & { sampleInt: number } = {
    url: target.url,
    connections,
    duration: end.maxS,
    timeout: 10,
    headers: target.headers,
    requests: target.requests,
    sampleInt: SAMPLE_INTERVAL_MS,
  };
  const cpuBefore = target.pid ? cpuSeconds(target.pid) : Number.NaN;
  // The instance autocannon returns is also a tracker with stop() (lib/run.js).
  const instance = autocannon(options) as autocannon.Instance & { stop(): void };
  void end.stop?.then(
    () => instance.stop(),
    () => instance.stop(),
  );
  const result = await instance;
  const cpuUsed = target.pid ? cpuSeconds(target.pid) - cpuBefore : Number.NaN;
  const responses = result["2xx"] + result.non2xx;
  return {
    durationS: result.duration,
    cpuUsPerRequest: (cpuUsed * 1e6) / responses,
    reqPerSec: result["2xx"] / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    failures: result.non2xx + result.errors,
  };
}
