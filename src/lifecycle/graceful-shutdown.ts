// SIGTERM/SIGINT handling (DESIGN.md "Runtime contract"):
//   readiness 503 at once -> wait SHUTDOWN_DELAY_MS (load balancers stop sending) ->
//   stop accepting -> drain in-flight requests up to SHUTDOWN_TIMEOUT_MS -> close backing
//   services in reverse order of opening -> flush logs -> let the process end.
// A second signal, or a drain that overruns its timeout, ends the process non-zero.
import type { Server } from "node:http";
import { constants } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "../infra/logger";
import type { Lifecycle } from "./lifecycle";

export interface Closeable {
  readonly name: string;
  close(): Promise<unknown>;
}

export interface GracefulShutdownOptions {
  readonly server: Server;
  readonly lifecycle: Lifecycle;
  readonly logger: Logger;
  readonly delayMs: number;
  readonly timeoutMs: number;
  /** Closed in the reverse of this order, after the server has drained. */
  readonly resources: readonly Closeable[];
  /** Writes out buffered log lines; runs last, after the final line. */
  readonly flushLogs: () => Promise<void>;
  /** Ends the process at once; injected so tests can observe it. */
  readonly exit: (code: number) => void;
  /** Sets the code the process will end with once nothing keeps it alive. */
  readonly setExitCode: (code: number) => void;
}

export function exitCodeFor(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 0);
}

export function createShutdownHandler(options: GracefulShutdownOptions) {
  const { server, lifecycle, logger } = options;
  let started = false;

  return async function shutDown(signal: NodeJS.Signals): Promise<void> {
    if (started) {
      logger.warn({ signal }, "second signal during shutdown: exiting now");
      options.exit(exitCodeFor(signal));
      return;
    }
    started = true;
    lifecycle.beginShutdown();
    logger.info({ signal, delayMs: options.delayMs }, "shutdown started: readiness now fails");

    await sleep(options.delayMs);
    logger.info("closing the listener and draining in-flight requests");
    const drained = await drain(server, options.timeoutMs);
    if (!drained) {
      logger.error(
        { timeoutMs: options.timeoutMs },
        "drain timed out: closing remaining connections",
      );
    }

    let failedToClose = false;
    for (const resource of [...options.resources].reverse()) {
      try {
        await resource.close();
      } catch (error) {
        failedToClose = true;
        logger.error({ err: error, resource: resource.name }, "failed to close resource");
      }
    }
    const code = drained && !failedToClose ? 0 : 1;
    logger.info({ exitCode: code }, "shutdown complete");
    await options.flushLogs().catch(() => undefined);
    if (code === 0) {
      // Everything is closed: the process ends by itself, with nothing cut short.
      options.setExitCode(code);
      return;
    }
    // Work cut off by the timeout (an upstream call, a query) may still hold a socket open
    // and would keep the process alive past its budget: end now.
    options.exit(code);
  };
}

/** Resolves true when every request finished in time, false when stragglers were cut off. */
async function drain(server: Server, timeoutMs: number): Promise<boolean> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // close() ends the keep-alive sockets idle right now (Node 19+); one that goes idle later,
  // after its last response, would hold close() open until its keepAliveTimeout: the sweeper
  // ends those.
  const idleSweeper = setInterval(() => server.closeIdleConnections(), 250);
  const timeout = sleep(timeoutMs, "timeout" as const, { ref: false });
  try {
    if ((await Promise.race([closed, timeout])) === "timeout") {
      server.closeAllConnections();
      await closed;
      return false;
    }
    return true;
  } finally {
    clearInterval(idleSweeper);
  }
}
