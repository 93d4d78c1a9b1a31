// Startup: spawn `node dist/main.js` -> GET /health/startup answers 200, several times.
// The service's own log lines split each start into "process up to listening" (node boot,
// module loading, config) and "listening to started" (migrations verified, pools warm).
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { spawnNode, stopChild } from "../support/child-processes";
import { waitForStatus } from "../support/http-wait";
import { freePort } from "../support/ports";
import { SERVICE_COMMAND, serviceEnvironment, type ServiceSetup } from "../support/service";
import { median } from "../support/stats";

export const STARTS = 7;
const STARTED = "started: serving requests";

export interface StartupFigures {
  readonly samplesMs: readonly number[];
  readonly medianMs: number;
  /** Median of spawn -> the "listening; starting up" line. */
  readonly toListeningMs: number;
  /** Median of "listening" -> the "started: serving requests" line. */
  readonly listeningToStartedMs: number;
}

async function startOnce(setup: ServiceSetup) {
  const port = await freePort();
  const spawnedAt = Date.now();
  const started = performance.now();
  const child = spawnNode("service (startup run)", SERVICE_COMMAND, {
    env: serviceEnvironment(setup, port),
    stdout: "pipe",
  });
  const lineTimes = new Map<string, number>();
  createInterface({ input: child.process.stdout! }).on("line", (text) => {
    try {
      const line = JSON.parse(text) as { msg?: string; time?: number };
      if (line.msg && line.time) lineTimes.set(line.msg, line.time);
    } catch {
      // not a log line
    }
  });
  try {
    await waitForStatus(`http://127.0.0.1:${port}/health/startup`, { child, intervalMs: 2 });
    const totalMs = performance.now() - started;
    // The log line is written just after the probe flips; give the pipe a moment to deliver it.
    for (let waited = 0; !lineTimes.has(STARTED) && waited < 1000; waited += 10) await sleep(10);
    const listening = lineTimes.get("listening; starting up") ?? Number.NaN;
    const ready = lineTimes.get(STARTED) ?? Number.NaN;
    return {
      totalMs,
      toListeningMs: listening - spawnedAt,
      listeningToStartedMs: ready - listening,
    };
  } finally {
    await stopChild(child);
  }
}

export async function benchStartup(
  setup: ServiceSetup,
  log: (line: string) => void = console.log,
): Promise<StartupFigures> {
  const runs = [];
  for (let start = 1; start <= STARTS; start++) {
    const run = await startOnce(setup);
    runs.push(run);
    log(
      `  start ${start}/${STARTS}  ${run.totalMs.toFixed(0)} ms to /health/startup 200 ` +
        `(listening after ${run.toListeningMs} ms, started ${run.listeningToStartedMs} ms later)`,
    );
  }
  return {
    samplesMs: runs.map((run) => run.totalMs),
    medianMs: median(runs.map((run) => run.totalMs)),
    toListeningMs: median(runs.map((run) => run.toListeningMs)),
    listeningToStartedMs: median(runs.map((run) => run.listeningToStartedMs)),
  };
}
