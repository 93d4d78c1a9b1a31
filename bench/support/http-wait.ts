// Polls a URL until it answers a status, for readiness and for timing startup.
import { get } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { Child } from "./child-processes";

function statusOf(url: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const request = get(url, { agent: false }, (response) => {
      response.resume();
      resolve(response.statusCode);
    });
    request.on("error", () => resolve(undefined));
    request.setTimeout(1000, () => request.destroy());
  });
}

export interface WaitOptions {
  readonly status?: number;
  readonly timeoutMs?: number;
  readonly intervalMs?: number;
  /** The process behind the URL: its exit ends the wait at once, with its stderr. */
  readonly child?: Child;
}

/** Resolves once `url` answers `status` (200); rejects on timeout or when the child exits. */
export async function waitForStatus(url: string, options: WaitOptions = {}): Promise<void> {
  const { status = 200, timeoutMs = 15_000, intervalMs = 5, child } = options;
  let exited: string | undefined;
  void child?.exited.then((how) => (exited = how));
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (exited) throw new Error(`${exited} before ${url} answered:\n${child?.stderrTail() ?? ""}`);
    if ((await statusOf(url)) === status) return;
    await sleep(intervalMs);
  }
  throw new Error(`${url} did not answer ${status} within ${timeoutMs} ms`);
}
