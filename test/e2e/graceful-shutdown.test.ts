// Graceful shutdown of the real process (DESIGN.md "Runtime contract"), one child process per
// signal scenario, as godaddy/terminus tests it: send the signal, watch what the process does.
import http from "node:http";
import type { Socket } from "node:net";
import {
  logMessage,
  startService,
  waitFor,
  type ExitStatus,
  type ServiceProcess,
} from "../support/processes";
import { killServiceProcesses, useE2eStack } from "./e2e-stack";
import { anOrder, request, tryConnect, type HttpAnswer } from "./http-client";

jest.setTimeout(30_000);

const stack = useE2eStack();
afterEach(killServiceProcesses);

/**
 * Starts POST /orders and resolves once the (slowed) product service has received its call,
 * with the answer still to come (wrapped: an async function would flatten a bare promise).
 */
async function startSlowOrder(
  service: ServiceProcess,
  latencyMs: number,
  agent?: http.Agent,
): Promise<{ answer: Promise<HttpAnswer> }> {
  const headers = await stack.authorization();
  await stack.products.setFaults({ latencyMs });
  const callsBefore = await stack.products.calls();
  const answer = request(service.port, "/orders", { body: anOrder(), headers, agent });
  answer.catch(() => undefined); // Observed by the caller; never an unhandled rejection.
  await waitFor("the order to reach the product service", async () => {
    return (await stack.products.calls()) > callsBefore;
  });
  return { answer };
}

describe("on SIGTERM with a slow POST /orders in flight", () => {
  const delayMs = 1000;
  const latencyMs = 2000;
  const seen = {} as {
    readyDuringDelay: HttpAnswer;
    liveDuringDelay: HttpAnswer;
    keepAliveDuringDelay: HttpAnswer;
    probedWithinMs: number;
    connectAfterDelay: string;
    refusedAfterLogMs: number;
    runningWhenRefused: boolean;
    inFlight: HttpAnswer;
    exit: ExitStatus;
    exitAfterSignalMs: number;
    service: ServiceProcess;
  };

  beforeAll(async () => {
    const service = await startService(
      stack.environment({
        SHUTDOWN_DELAY_MS: String(delayMs),
        SHUTDOWN_TIMEOUT_MS: "5000",
        PRODUCT_TIMEOUT_MS: "10000",
      }),
    );
    seen.service = service;
    // A second client with an idle keep-alive connection it will reuse during the delay.
    const keepAlive = new http.Agent({ keepAlive: true });
    expect((await request(service.port, "/health/live", { agent: keepAlive })).status).toBe(200);

    const order = await startSlowOrder(service, latencyMs, new http.Agent({ keepAlive: true }));
    const signalledAt = performance.now();
    service.kill("SIGTERM");

    await service.waitForLog(logMessage("shutdown started: readiness now fails"));
    [seen.readyDuringDelay, seen.liveDuringDelay, seen.keepAliveDuringDelay] = await Promise.all([
      request(service.port, "/health/ready"),
      request(service.port, "/health/live"),
      request(service.port, "/health/live", { agent: keepAlive }),
    ]);
    seen.probedWithinMs = performance.now() - signalledAt;

    await service.waitForLog(logMessage("closing the listener and draining in-flight requests"));
    // The line is written just before the listener closes: on a busy machine this process can
    // read it first, so allow the close a moment to happen.
    const loggedAt = performance.now();
    await waitFor(
      "the listener to close",
      async () => (seen.connectAfterDelay = await tryConnect(service.port)) !== "connected",
      { timeoutMs: 500, intervalMs: 10 },
    ).catch(() => undefined);
    seen.refusedAfterLogMs = performance.now() - loggedAt;
    seen.runningWhenRefused = !service.hasExited;

    seen.inFlight = await order.answer;
    seen.exit = await service.exited;
    seen.exitAfterSignalMs = seen.exit.at - signalledAt;
    keepAlive.destroy();
  });

  it("answers 503 on /health/ready from the signal on, during SHUTDOWN_DELAY_MS", () => {
    expect(seen.probedWithinMs).toBeLessThan(delayMs);
    expect(seen.readyDuringDelay.status).toBe(503);
    expect(seen.readyDuringDelay.json).toMatchObject({ status: "shutting-down" });
  });

  it("keeps answering 200 on /health/live during the delay", () => {
    expect(seen.liveDuringDelay.status).toBe(200);
  });

  it("tells a keep-alive client Connection: close on its next response", () => {
    expect(seen.keepAliveDuringDelay.status).toBe(200);
    expect(seen.keepAliveDuringDelay.headers.connection).toBe("close");
  });

  it("completes the in-flight request with 201 and Connection: close", () => {
    expect(seen.inFlight.status).toBe(201);
    expect(seen.inFlight.json).toMatchObject({ status: "paid" });
    expect(seen.inFlight.headers.connection).toBe("close");
  });

  it("refuses new connections once the delay is over, while the drain goes on", () => {
    expect(seen.connectAfterDelay).toBe("ECONNREFUSED");
    expect(seen.refusedAfterLogMs).toBeLessThan(500);
    expect(seen.runningWhenRefused).toBe(true);
  });

  it("exits 0 after logging shutdown complete, once the request has finished", () => {
    expect(seen.exit).toMatchObject({ code: 0, signal: null });
    expect(seen.service.logLines).toContainEqual(
      expect.objectContaining({ msg: "shutdown complete", exitCode: 0 }),
    );
    expect(seen.exitAfterSignalMs).toBeGreaterThanOrEqual(delayMs);
    expect(seen.exitAfterSignalMs).toBeLessThan(latencyMs + 2000);
    expect(seen.service.stderr).toBe("");
  });
});

describe("on SIGINT", () => {
  it("shuts down like on SIGTERM and exits 0", async () => {
    const service = await startService(stack.environment({ SHUTDOWN_DELAY_MS: "200" }));
    service.kill("SIGINT");

    expect(await service.exited).toMatchObject({ code: 0, signal: null });
    expect(service.logLines).toContainEqual(
      expect.objectContaining({ msg: "shutdown started: readiness now fails", signal: "SIGINT" }),
    );
    expect(service.logLines).toContainEqual(
      expect.objectContaining({ msg: "shutdown complete", exitCode: 0 }),
    );
  });
});

describe("a second signal during shutdown", () => {
  it.each([
    ["SIGTERM", "SIGTERM", 143],
    ["SIGTERM", "SIGINT", 130],
  ] as const)(
    "exits at once: %s then %s ends the process with %i (128 + the second signal)",
    async (first, second, expectedCode) => {
      // A long delay: only the second signal can explain a quick exit.
      const service = await startService(stack.environment({ SHUTDOWN_DELAY_MS: "20000" }));
      service.kill(first);
      await service.waitForLog(logMessage("shutdown started: readiness now fails"));
      const secondAt = performance.now();
      service.kill(second);

      const exit = await service.exited;
      expect(exit).toMatchObject({ code: expectedCode, signal: null });
      expect(exit.at - secondAt).toBeLessThan(1000);
      expect(service.logLines).toContainEqual(
        expect.objectContaining({ msg: "second signal during shutdown: exiting now" }),
      );
    },
  );
});

describe("a drain that overruns SHUTDOWN_TIMEOUT_MS", () => {
  it("exits 1 about SHUTDOWN_DELAY_MS + SHUTDOWN_TIMEOUT_MS after the signal, not when the request ends", async () => {
    const delayMs = 200;
    const timeoutMs = 1000;
    const latencyMs = 5000;
    const service = await startService(
      stack.environment({
        SHUTDOWN_DELAY_MS: String(delayMs),
        SHUTDOWN_TIMEOUT_MS: String(timeoutMs),
        PRODUCT_TIMEOUT_MS: "20000",
      }),
    );
    const order = await startSlowOrder(service, latencyMs);
    const signalledAt = performance.now();
    service.kill("SIGTERM");

    const exit = await service.exited;
    const exitAfterSignalMs = exit.at - signalledAt;
    expect(exit).toMatchObject({ code: 1, signal: null });
    // The straggler was cut off rather than answered.
    await expect(order.answer).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(service.logLines).toContainEqual(
      expect.objectContaining({ msg: "drain timed out: closing remaining connections" }),
    );
    expect(service.logLines).toContainEqual(
      expect.objectContaining({ msg: "shutdown complete", exitCode: 1 }),
    );
    // Ended by the timeout, not by the cut-off request's own work (latencyMs) finishing.
    expect(exitAfterSignalMs).toBeGreaterThanOrEqual(delayMs + timeoutMs);
    expect(exitAfterSignalMs).toBeLessThan(delayMs + timeoutMs + 1500);
  });
});

describe("idle keep-alive connections", () => {
  it("do not hold shutdown open: the process exits promptly, far below keepAliveTimeout (65 s)", async () => {
    const service = await startService(stack.environment({ SHUTDOWN_DELAY_MS: "100" }));
    const agent = new http.Agent({ keepAlive: true });
    const answer = await request(service.port, "/health/live", { agent });
    expect(answer.headers.connection).toBe("keep-alive");
    const idle = Object.values(agent.freeSockets).flat() as Socket[];
    expect(idle).toHaveLength(1);
    const idleClosed = new Promise<void>((resolve) => idle[0]!.once("close", () => resolve()));

    const signalledAt = performance.now();
    service.kill("SIGTERM");
    const exit = await service.exited;

    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.at - signalledAt).toBeLessThan(3000);
    await idleClosed; // the server closed it; the client never did
    agent.destroy();
  });
});
