// The shutdown sequence (src/lifecycle/graceful-shutdown.ts) against a real listening HTTP
// server, with the process's exit injected: what it closes, in which order, what it waits for
// and how it ends. The signals themselves are test/e2e/graceful-shutdown.test.ts's subject.
import { createServer, request as httpRequest, Agent, type Server } from "node:http";
import { createLogger } from "../../src/infra/logger";
import { Lifecycle } from "../../src/lifecycle/lifecycle";
import {
  createShutdownHandler,
  exitCodeFor,
  type Closeable,
  type GracefulShutdownOptions,
} from "../../src/lifecycle/graceful-shutdown";
import { listen } from "../../src/http/server";
import { LogCapture } from "../support/log-capture";

/** A server whose requests to /held wait until the test releases them. */
async function startServer() {
  const held: (() => void)[] = [];
  const server = createServer((req, res) => {
    if (req.url === "/held") held.push(() => res.end("finished"));
    else res.end("ok");
  });
  server.keepAliveTimeout = 60_000;
  const port = await listen(server, 0);
  return { server, port, held };
}

/** GETs a path; resolves with the status and body, or with the socket's error. */
function get(port: number, path: string, agent?: Agent) {
  return new Promise<{ status?: number; body?: string; error?: string }>((resolve) => {
    const req = httpRequest({ host: "127.0.0.1", port, path, agent }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () => resolve({ status: res.statusCode!, body }));
      res.on("error", (error) => resolve({ error: error.message }));
    });
    req.on("error", (error) => resolve({ error: error.message }));
    req.end();
  });
}

const untilTrue = async (condition: () => boolean) => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
};

/** shutdownOf opens postgres, redis, metrics: they close the other way round, then the logs. */
const CLOSED_IN_REVERSE_OPENING_ORDER = [
  "close metrics",
  "close redis",
  "close postgres",
  "flush logs",
];

function shutdownOf(
  server: Server,
  overrides: Partial<GracefulShutdownOptions> = {},
  /** The resource whose close() rejects. */
  failing?: string,
) {
  const events: string[] = [];
  const logs = new LogCapture();
  const lifecycle = new Lifecycle();
  lifecycle.markServing();
  const resource = (name: string): Closeable => ({
    name,
    close: () => {
      events.push(`close ${name}`);
      return name === failing
        ? Promise.reject(new Error(`${name} would not close`))
        : Promise.resolve();
    },
  });
  const options: GracefulShutdownOptions = {
    server,
    lifecycle,
    logger: createLogger({ level: "info", stdout: false, destinations: [logs] }),
    delayMs: 0,
    timeoutMs: 5_000,
    resources: [resource("postgres"), resource("redis"), resource("metrics")],
    flushLogs: () => {
      events.push("flush logs");
      return Promise.resolve();
    },
    exit: (code) => events.push(`exit ${code}`),
    setExitCode: (code) => events.push(`exit code ${code}`),
    ...overrides,
  };
  return { shutDown: createShutdownHandler(options), events, logs, lifecycle };
}

describe("graceful shutdown", () => {
  let server: Server | undefined;
  afterEach(() => {
    server?.closeAllConnections();
    server?.close();
    server = undefined;
  });

  it.each([
    ["SIGTERM", 143],
    ["SIGINT", 130],
    ["SIGKILL", 137],
  ] as const)("ends a process stopped by %s with %i, as a shell reports it", (signal, code) => {
    expect(exitCodeFor(signal)).toBe(code);
  });

  it("fails readiness, closes the listener, closes resources in reverse, flushes logs, then lets the process end 0", async () => {
    const started = await startServer();
    ({ server } = started);
    const { shutDown, events, logs, lifecycle } = shutdownOf(server, { delayMs: 20 });

    const done = shutDown("SIGTERM");
    expect(lifecycle.isShuttingDown).toBe(true);
    await done;

    expect(server.listening).toBe(false);
    expect(events).toEqual([...CLOSED_IN_REVERSE_OPENING_ORDER, "exit code 0"]);
    expect(logs.entries.map(({ level, msg }) => [level, msg])).toEqual([
      ["info", "shutdown started: readiness now fails"],
      ["info", "closing the listener and draining in-flight requests"],
      ["info", "shutdown complete"],
    ]);
    expect(logs.entries[0]).toMatchObject({ signal: "SIGTERM", delayMs: 20 });
    expect(logs.entries[2]).toMatchObject({ exitCode: 0 });
  });

  it("leaves no timer that would hold the process open once it has drained", async () => {
    const started = await startServer();
    ({ server } = started);
    const { shutDown, events } = shutdownOf(server, { timeoutMs: 60_000 });
    const timersHoldingTheProcess = () =>
      process.getActiveResourcesInfo().filter((resource) => resource === "Timeout").length;
    const before = timersHoldingTheProcess();

    await shutDown("SIGTERM");

    expect(events.at(-1)).toBe("exit code 0");
    // The drain's timeout may still be pending, but unref'd; the idle sweeper is stopped.
    expect(timersHoldingTheProcess()).toBe(before);
  });

  it("keeps accepting requests for the delay after readiness fails", async () => {
    const started = await startServer();
    ({ server } = started);
    const { shutDown } = shutdownOf(server, { delayMs: 300 });
    const done = shutDown("SIGTERM");
    expect(await get(started.port, "/")).toEqual({ status: 200, body: "ok" });
    expect(server.listening).toBe(true);
    await done;
    expect(server.listening).toBe(false);
  });

  it("lets an in-flight request finish before it closes anything", async () => {
    const started = await startServer();
    ({ server } = started);
    const { shutDown, events } = shutdownOf(server);
    const inFlight = get(started.port, "/held");
    await untilTrue(() => started.held.length === 1);

    const done = shutDown("SIGTERM");
    await untilTrue(() => !server!.listening);
    expect(events).toEqual([]);
    started.held[0]!();
    expect(await inFlight).toEqual({ status: 200, body: "finished" });
    await done;
    expect(events.at(-1)).toBe("exit code 0");
  });

  it("closes an idle keep-alive connection instead of waiting for its timeout", async () => {
    const started = await startServer();
    ({ server } = started);
    const agent = new Agent({ keepAlive: true });
    const { shutDown, events } = shutdownOf(server, { timeoutMs: 2_000 });
    expect(await get(started.port, "/", agent)).toMatchObject({ status: 200 });

    await shutDown("SIGTERM");

    expect(events.at(-1)).toBe("exit code 0");
    agent.destroy();
  });

  it("closes a keep-alive connection once its last request finished during the drain", async () => {
    const started = await startServer();
    ({ server } = started);
    const agent = new Agent({ keepAlive: true });
    const { shutDown, events } = shutdownOf(server, { timeoutMs: 2_000 });
    const inFlight = get(started.port, "/held", agent);
    await untilTrue(() => started.held.length === 1);
    const done = shutDown("SIGTERM");
    await untilTrue(() => !server!.listening);
    started.held[0]!();
    await inFlight;

    await done;

    expect(events.at(-1)).toBe("exit code 0");
    agent.destroy();
  });

  it("cuts requests off after the drain timeout, logs it, and ends the process at once with 1", async () => {
    const started = await startServer();
    ({ server } = started);
    const { shutDown, events, logs } = shutdownOf(server, { timeoutMs: 100 });
    const stuck = get(started.port, "/held");
    await untilTrue(() => started.held.length === 1);

    await shutDown("SIGTERM");

    expect(await stuck).toEqual({ error: "socket hang up" });
    expect(events).toEqual([...CLOSED_IN_REVERSE_OPENING_ORDER, "exit 1"]);
    expect(logs.entries).toContainEqual(
      expect.objectContaining({
        level: "error",
        msg: "drain timed out: closing remaining connections",
        timeoutMs: 100,
      }),
    );
    expect(logs.entries.at(-1)).toMatchObject({ msg: "shutdown complete", exitCode: 1 });
  });

  it("closes every resource even when one fails, logs which, and ends the process with 1", async () => {
    const started = await startServer();
    ({ server } = started);
    const { shutDown, events, logs } = shutdownOf(server, {}, "redis");

    await shutDown("SIGTERM");

    expect(events).toEqual([...CLOSED_IN_REVERSE_OPENING_ORDER, "exit 1"]);
    expect(logs.entries).toContainEqual(
      expect.objectContaining({
        level: "error",
        msg: "failed to close resource",
        resource: "redis",
        err: expect.objectContaining({ message: "redis would not close" }),
      }),
    );
  });

  it("ends 0 even when flushing the logs fails", async () => {
    const started = await startServer();
    ({ server } = started);
    const { shutDown, events } = shutdownOf(server, {
      flushLogs: () => Promise.reject(new Error("EPIPE")),
    });
    await shutDown("SIGTERM");
    expect(events.at(-1)).toBe("exit code 0");
  });

  it("exits at once on a second signal, with that signal's code", async () => {
    const started = await startServer();
    ({ server } = started);
    const { shutDown, events, logs } = shutdownOf(server, { delayMs: 200 });
    const first = shutDown("SIGTERM");
    await shutDown("SIGINT");

    expect(events).toEqual(["exit 130"]);
    expect(logs.entries).toContainEqual(
      expect.objectContaining({
        level: "warn",
        msg: "second signal during shutdown: exiting now",
        signal: "SIGINT",
      }),
    );
    await first;
  });
});
