// A Postgres connection that the server ends while the service has it checked out
// (`pg_terminate_backend`, a failover, a restart) must fail that one request, never the
// process (DESIGN.md "Runtime contract": backing-service faults never crash the process).
// Regression: pg-pool takes its idle 'error' listener off a checked-out client; the client
// then emitted 'error' on the disconnect with nobody listening, and the crash handler exited 1
// within a second of 6 concurrent keyed POSTs meeting a termination every 200 ms.
// With E2E_REPORT=1 the terminations and the answers by status are printed.
import { randomUUID } from "node:crypto";
import { withAdminClient } from "../support/backing-services";
import { logMessage, startService, waitFor, type ServiceProcess } from "../support/processes";
import { terminateBackendsRepeatedly } from "../chaos/backend-terminator";
import { call } from "../chaos/http-call";
import { killServiceProcesses, useE2eStack } from "./e2e-stack";
import { anOrder } from "./http-client";

jest.setTimeout(40_000);

const stack = useE2eStack();
afterAll(killServiceProcesses);

const CLIENTS = 6;
const LOAD_MS = 4000;
const TERMINATE_EVERY_MS = 200;
// Fresh Idempotency-Key per request and no retries: a 409 cannot happen, so it is not allowed.
const ALLOWED = new Set(["201", "202", "503"]);

/** One client: keyed POSTs one after another until told to stop; returns what it was answered. */
async function placeOrdersUntil(service: ServiceProcess, stop: AbortSignal): Promise<string[]> {
  const authorization = await stack.authorization();
  const outcomes: string[] = [];
  while (!stop.aborted && !service.hasExited) {
    const outcome = await call(service.port, "/orders", {
      body: anOrder(),
      headers: { ...authorization, "Idempotency-Key": `terminated-${randomUUID()}` },
      timeoutMs: 5000,
    });
    outcomes.push(outcome.kind === "answer" ? String(outcome.status) : outcome.code);
  }
  return outcomes;
}

function tally(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

describe("Postgres backends terminated while clients are checked out", () => {
  let service: ServiceProcess;
  let outcomes: string[];
  let terminations: { rounds: number; terminated: number };

  beforeAll(async () => {
    service = await startService(stack.environment({ PG_CONNECT_TIMEOUT_MS: "1000" }));
    await stack.authorization(); // Minted before the load window, not inside it.
    // Slow charges keep each request (and its checked-out clients) open across a termination.
    await stack.payments.setFaults({ latencyMs: 100 });

    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(), LOAD_MS);
    const terminator = withAdminClient((admin) =>
      terminateBackendsRepeatedly(admin, stack.database.name, TERMINATE_EVERY_MS, stop.signal),
    );
    const clients = Array.from({ length: CLIENTS }, () => placeOrdersUntil(service, stop.signal));
    // A process that dies ends the load at once (its clients see it gone).
    void service.exited.then(() => stop.abort());
    const answered = await Promise.all(clients);
    stop.abort();
    clearTimeout(timer);
    terminations = await terminator;
    outcomes = answered.flat();
    if (process.env.E2E_REPORT) {
      const fatal = service.logLines.find((line) => line.level === "fatal");
      process.stderr.write(
        `${JSON.stringify({ terminations, answers: tally(outcomes), fatal }, null, 1)}\n`,
      );
    }
  });

  it("terminated the service's backends while orders were being placed", () => {
    expect(terminations.terminated).toBeGreaterThan(0);
    expect(outcomes.length).toBeGreaterThan(CLIENTS);
  });

  it("keeps the process running (no crash, no exit)", () => {
    const fatal = service.logLines.find((line) => line.level === "fatal");
    expect({
      exited: service.hasExited,
      exitCode: service.child.exitCode,
      fatal: fatal && { msg: fatal.msg, err: (fatal.err as { message?: string })?.message },
    }).toEqual({ exited: false, exitCode: null, fatal: undefined });
  });

  it("answers only 201, 202 or 503 meanwhile (never 500, never a dropped connection)", () => {
    const unexpected = outcomes.filter((outcome) => !ALLOWED.has(outcome));
    expect({ unexpected: tally(unexpected), all: tally(outcomes) }).toEqual({
      unexpected: {},
      all: tally(outcomes),
    });
  });

  it("is ready again within a few seconds and places orders, without a restart", async () => {
    expect(service.hasExited).toBe(false);
    await stack.payments.resetFaults();
    await waitFor(
      "/health/ready to answer 200",
      async () => {
        const ready = await call(service.port, "/health/ready", { timeoutMs: 1000 });
        return ready.kind === "answer" && ready.status === 200;
      },
      { timeoutMs: 5000, intervalMs: 100 },
    );
    const placed = await call(service.port, "/orders", {
      body: anOrder(),
      headers: { ...(await stack.authorization()), "Idempotency-Key": `after-${randomUUID()}` },
      timeoutMs: 5000,
    });
    expect(placed).toMatchObject({ kind: "answer", status: 201 });
    expect(service.hasExited).toBe(false);
    expect(service.logLines.filter(logMessage("listening; starting up"))).toHaveLength(1);
  });
});
