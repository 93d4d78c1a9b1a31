// The three probes of the real process over its life (DESIGN.md "Runtime contract"):
// live = the process runs; startup = migrations verified and pools warm; ready = dependencies up.
import { randomBytes } from "node:crypto";
import pino from "pino";
import { applyMigrations } from "../../src/infra/migrations";
import { databaseUrl, withAdminClient } from "../support/backing-services";
import { logMessage, ServiceProcess, type LogLine } from "../support/processes";
import { killServiceProcesses, useE2eStack } from "./e2e-stack";
import { request, type HttpAnswer } from "./http-client";

jest.setTimeout(30_000);

const stack = useE2eStack();

describe("a service starting on a migrated database", () => {
  const seen = {} as {
    liveAtListening: HttpAnswer;
    startupAtListening: HttpAnswer;
    started: LogLine;
    startupAfterStarted: HttpAnswer;
    readyAfterStarted: HttpAnswer;
  };

  beforeAll(async () => {
    const service = new ServiceProcess(stack.environment());
    const port = await service.waitUntilListening();
    [seen.liveAtListening, seen.startupAtListening] = await Promise.all([
      request(port, "/health/live"),
      request(port, "/health/startup"),
    ]);
    seen.started = await service.waitForLog(logMessage("started: serving requests"));
    seen.startupAfterStarted = await request(port, "/health/startup");
    seen.readyAfterStarted = await request(port, "/health/ready");
  });

  afterAll(killServiceProcesses);

  it("answers 200 on /health/live as soon as it listens", () => {
    expect(seen.liveAtListening.status).toBe(200);
    expect(seen.liveAtListening.json).toEqual({ status: "ok" });
  });

  it("answers /health/startup while starting with 503 'starting' or, once started, 200", () => {
    // Startup on a migrated database takes a few ms, so either answer is right here; the
    // database without migrations below holds the 503 long enough to assert it.
    expect([
      [503, "starting"],
      [200, "ok"],
    ]).toContainEqual([seen.startupAtListening.status, seen.startupAtListening.json.status]);
  });

  it("answers 200 on /health/startup and /health/ready once it logged 'started'", () => {
    expect(seen.startupAfterStarted.status).toBe(200);
    expect(seen.readyAfterStarted.status).toBe(200);
    expect(seen.readyAfterStarted.json).toMatchObject({
      status: "ok",
      checks: { postgres: { status: "up" }, redis: { status: "up" } },
    });
  });

  it("reports how long it took from process start to serving", () => {
    expect(seen.started.startupMs).toEqual(expect.any(Number));
    expect(seen.started.startupMs).toBeLessThan(10_000);
  });

  it("never serves probe caching headers that a proxy could reuse", () => {
    for (const answer of [seen.liveAtListening, seen.readyAfterStarted]) {
      expect(answer.headers["cache-control"]).toBe("no-store");
    }
  });
});

describe("a service starting on a database without migrations", () => {
  const name = `orders_e2e_unmigrated_${randomBytes(5).toString("hex")}`;
  const url = databaseUrl(name);
  let service: ServiceProcess;

  beforeAll(async () => {
    await withAdminClient((client) => client.query(`CREATE DATABASE ${name}`));
    service = new ServiceProcess(stack.environment({ DATABASE_URL: url }));
    await service.waitUntilListening();
    await service.waitForLog(
      (line) =>
        line.msg === "not started yet; retrying" &&
        JSON.stringify(line.err).includes("pending migrations"),
    );
  });

  afterAll(async () => {
    service?.kill("SIGKILL");
    await service?.exited;
    await withAdminClient((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  });

  it("keeps /health/startup and /health/ready at 503 and /health/live at 200 while migrations are pending", async () => {
    // "Keeps" is a claim over time: watch it across more than one of the service's retries (1 s).
    const until = performance.now() + 1500;
    let rounds = 0;
    while (performance.now() < until) {
      const [live, startup, ready] = await Promise.all([
        request(service.port, "/health/live"),
        request(service.port, "/health/startup"),
        request(service.port, "/health/ready"),
      ]);
      expect([live.status, startup.status, ready.status]).toEqual([200, 503, 503]);
      expect(startup.json).toEqual({ status: "starting" });
      expect(ready.json).toMatchObject({ status: "starting" });
      rounds += 1;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(rounds).toBeGreaterThan(3);
    expect(service.hasExited).toBe(false);
  });

  it("turns /health/startup and /health/ready to 200 once the migrations are applied, without a restart", async () => {
    await applyMigrations(url, pino({ level: "silent" }));

    await service.waitForLog(logMessage("started: serving requests"));
    expect((await request(service.port, "/health/startup")).status).toBe(200);
    expect((await request(service.port, "/health/ready")).status).toBe(200);
    expect(service.hasExited).toBe(false);
    expect(service.logLines.filter(logMessage("listening; starting up"))).toHaveLength(1);
  });
});
