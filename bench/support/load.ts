// Load from autocannon in this process, in rounds that alternate between the targets of one
// comparison, so a noisy neighbour slows every target of a round alike; medians per target.
import autocannon from "autocannon";
import { cpuSeconds } from "./cpu-time";
import { median } from "./stats";

export interface LoadTarget {
  readonly name: string;
  readonly url: string;
  readonly requests?: autocannon.Request[];
  readonly headers?: Record<string, string>;
  /** The server process, for its CPU time per request. */
  readonly pid?: number;
  /** Run around each measured round of this target (e.g. RSS sampling). */
  readonly around?: { before(): void; after(): void };
}

export interface LoadSettings {
  readonly connections: number;
  readonly durationS: number;
  readonly rounds: number;
  readonly warmupS: number;
}

export interface RoundFigures {
  /** Successful (2xx) responses per second. */
  readonly reqPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Non-2xx answers plus connection errors and timeouts. */
  readonly failures: number;
  /** CPU time (user + system) of the server process per response, in microseconds. */
  readonly cpuUsPerRequest: number;
}

export interface LoadSummary extends RoundFigures {
  readonly name: string;
  readonly rounds: readonly RoundFigures[];
}

async function runOnce(
  target: LoadTarget,
  connections: number,
  durationS: number,
): Promise<RoundFigures> {
  const cpuBefore = target.pid ? cpuSeconds(target.pid) : Number.NaN;
  const result = await autocannon({
    url: target.url,
    connections,
    duration: durationS,
    timeout: 10,
    headers: target.headers,
    requests: target.requests,
  });
  const cpuUsed = target.pid ? cpuSeconds(target.pid) - cpuBefore : Number.NaN;
  const responses = result["2xx"] + result.non2xx;
  return {
    cpuUsPerRequest: (cpuUsed * 1e6) / responses,
    reqPerSec: result["2xx"] / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    failures: result.non2xx + result.errors,
  };
}

export async function measureInterleaved(
  targets: readonly LoadTarget[],
  settings: LoadSettings,
  log: (line: string) => void = console.log,
): Promise<LoadSummary[]> {
  for (const target of targets) await runOnce(target, settings.connections, settings.warmupS);
  const rounds = targets.map(() => [] as RoundFigures[]);
  for (let round = 1; round <= settings.rounds; round++) {
    for (const [index, target] of targets.entries()) {
      target.around?.before();
      const figures = await runOnce(target, settings.connections, settings.durationS);
      target.around?.after();
      rounds[index]!.push(figures);
      log(
        `  round ${round}/${settings.rounds} ${target.name.padEnd(38)} ` +
          `${figures.reqPerSec.toFixed(0).padStart(6)} req/s  p50 ${figures.p50Ms} ms  ` +
          `p99 ${figures.p99Ms} ms  CPU ${figures.cpuUsPerRequest.toFixed(0)} us/req` +
          `${figures.failures ? `  failures ${figures.failures}` : ""}`,
      );
    }
  }
  return targets.map((target, index) => {
    const figures = rounds[index]!;
    return {
      name: target.name,
      rounds: figures,
      reqPerSec: median(figures.map((f) => f.reqPerSec)),
      p50Ms: median(figures.map((f) => f.p50Ms)),
      p99Ms: median(figures.map((f) => f.p99Ms)),
      cpuUsPerRequest: median(figures.map((f) => f.cpuUsPerRequest)),
      failures: figures.reduce((sum, f) => sum + f.failures, 0),
    };
  });
}
