// Postgres becoming unreachable under a running service, through a TCP proxy the test cuts
// (the real server, shared with other tests, is never touched): readiness fails, liveness
// does not, requests fail fast with 503, and everything recovers without a restart.
import { randomUUID } from "node:crypto";
import { ADMIN_DATABASE_URL } from "../support/backing-services";
import { logMessage, startService, waitFor, type ServiceProcess } from "../support/processes";
import { TcpProxy, type CutMode } from "../support/tcp-proxy";
import { useE2eStack } from "./e2e-stack";
import { anOrder, request } from "./http-client";

jest.setTimeout(30_000);

const stack = useE2eStack();
const PG_CONNECT_TIMEOUT_MS = 1000;
// Below the connect timeout, so a black-holed check is reported as a timeout.
const HEALTH_CHECK_TIMEOUT_MS = 500;

let proxy: TcpProxy;
let service: ServiceProcess;
let headers: Record<string, string>;

beforeAll(async () => {
  const postgres = new URL(ADMIN_DATABASE_URL);
  proxy = await TcpProxy.start(postgres.hostname, Number(postgres.port || 5432));
  const throughProxy = new URL(stack.database.url);
  throughProxy.host = `127.0.0.1:${proxy.port}`;
  service = await startService(
    stack.environment({
      DATABASE_URL: throughProxy.href,
      PG_CONNECT_TIMEOUT_MS: String(PG_CONNECT_TIMEOUT_MS),
      HEALTH_CHECK_TIMEOUT_MS: String(HEALTH_CHECK_TIMEOUT_MS),
    }),
  );
  headers = await stack.authorization();
  // Authenticated before the cut: the service holds the provider's keys, so the timings below
  // are the outage's, not a first JWKS fetch (the provider never depends on Postgres anyway).
  expect((await request(service.port, `/orders/${randomUUID()}`, { headers })).status).toBe(404);
});

afterAll(async () => {
  service?.kill("SIGKILL");
  await service?.exited;
  await proxy?.close();
});

const ready = () => request(service.port, "/health/ready");

describe.each<[CutMode, string, "error" | "timeout"]>([
  ["refuse", "connections are reset (server down)", "error"],
  ["blackhole", "connections hang (network partition)", "timeout"],
])("while Postgres is unreachable: %s, %s", (mode, _description, reason) => {
  beforeAll(async () => {
    await waitFor("readiness before the cut", async () => (await ready()).status === 200);
    proxy.cut(mode);
  });

  afterAll(() => proxy.restore());

  it("answers 503 on /health/ready with checks.postgres down and Redis still up", async () => {
    const answer = await ready();
    expect(answer.status).toBe(503);
    expect(answer.json).toMatchObject({
      status: "unavailable",
      checks: { postgres: { status: "down", reason }, redis: { status: "up" } },
    });
    // Probe answers are public: a fixed reason, never a driver message.
    expect(answer.text).not.toMatch(/ECONN|terminated|timeout exceeded/i);
  });

  it("keeps answering 200 on /health/live", async () => {
    expect((await request(service.port, "/health/live")).status).toBe(200);
  });

  it(`answers GET /orders/:id with 503 problem+json and Retry-After within PG_CONNECT_TIMEOUT_MS + 500 ms`, async () => {
    const answer = await request(service.port, `/orders/${randomUUID()}`, { headers });
    expect(answer.status).toBe(503);
    expect(answer.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(Number(answer.headers["retry-after"])).toBeGreaterThan(0);
    expect(answer.json).toMatchObject({ status: 503, title: "Service Unavailable" });
    expect(answer.text).not.toMatch(/ECONN|terminated|timeout exceeded|stack/i);
    expect(answer.durationMs).toBeLessThan(PG_CONNECT_TIMEOUT_MS + 500);
  });

  it("answers POST /orders with 503 and Retry-After, just as fast", async () => {
    const answer = await request(service.port, "/orders", { body: anOrder(), headers });
    expect(answer.status).toBe(503);
    expect(answer.headers["retry-after"]).toBeDefined();
    expect(answer.durationMs).toBeLessThan(PG_CONNECT_TIMEOUT_MS + 500);
  });
});

describe("once Postgres is reachable again", () => {
  it("returns /health/ready to 200 and serves orders again, without a restart", async () => {
    proxy.cut("refuse");
    await waitFor("readiness to fail", async () => (await ready()).status === 503);
    proxy.restore();

    await waitFor("readiness to recover", async () => (await ready()).status === 200);
    const created = await request(service.port, "/orders", { body: anOrder(), headers });
    expect(created.status).toBe(201);
    const fetched = await request(service.port, `/orders/${String(created.json.id)}`, { headers });
    expect(fetched.status).toBe(200);
    expect(fetched.json).toMatchObject({ id: created.json.id, status: "paid" });

    expect(service.hasExited).toBe(false);
    expect(service.logLines.filter(logMessage("listening; starting up"))).toHaveLength(1);
  });
});
