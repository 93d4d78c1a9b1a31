// The load generator (`node dist/cli.js loadgen`) against the real service and the fakes: its
// JSON line counts what the service really answered, as real callers with real tokens.
import { createServer } from "node:net";
import { Client } from "pg";
import {
  cleanEnvironment,
  killLeftovers,
  SpawnedProcess,
  startService,
  type ServiceProcess,
} from "../support/processes";
import { useE2eStack } from "./e2e-stack";

const stack = useE2eStack();
let service: ServiceProcess;

beforeAll(async () => {
  service = await startService(stack.environment());
});
afterAll(() => killLeftovers());

interface LoadReport {
  requests: number;
  statuses: Record<string, number>;
  non2xx: number;
  connectionErrors: number;
  errors: Record<string, number>;
  latencyMs: { p50: number; p90: number; p99: number; max: number } | null;
  stoppedEarly: boolean;
}

async function loadgen(...args: string[]) {
  const run = new SpawnedProcess("loadgen", "cli.js", cleanEnvironment({}), ["loadgen", ...args]);
  const exit = await run.exited;
  const last = run.stdoutLines.at(-1);
  return {
    code: exit.code,
    report: last === undefined ? undefined : (JSON.parse(last) as LoadReport),
    stdout: run.stdoutLines,
    stderr: run.stderr,
  };
}

const serviceUrl = () => `http://127.0.0.1:${service.port}`;
const tokenUrl = () => `${stack.identity.url}/token`;

async function ordersByCustomer(prefix: string): Promise<Record<string, string[]>> {
  const client = new Client({ connectionString: stack.database.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ customer_id: string; statuses: string[] }>(
      `SELECT customer_id, array_agg(status ORDER BY status) AS statuses FROM orders
        WHERE customer_id LIKE $1 GROUP BY customer_id ORDER BY customer_id`,
      [`${prefix}%`],
    );
    return Object.fromEntries(rows.map((r) => [r.customer_id, r.statuses]));
  } finally {
    await client.end();
  }
}

describe("loadgen", () => {
  it("sends rate x seconds requests on schedule, places the share of orders asked for, and counts every answer", async () => {
    const started = performance.now();
    const { code, report } = await loadgen(
      ...["--url", serviceUrl(), "--seconds", "2", "--rate", "20", "--post-percent", "25"],
      ...["--token-url", tokenUrl(), "--customer", "loadgen-counts", "--customers", "2"],
    );
    const tookMs = performance.now() - started;
    expect(code).toBe(0);
    expect(report).toMatchObject({
      requests: 40,
      statuses: { "201": 10, "200": 30 },
      non2xx: 0,
      connectionErrors: 0,
      errors: {},
      stoppedEarly: false,
    });
    expect(report?.latencyMs?.p50).toBeGreaterThan(0);
    expect(report?.latencyMs?.max).toBeGreaterThanOrEqual(report?.latencyMs?.p99 ?? Infinity);
    // The last request leaves at 39/20 s: the run lasts about its --seconds, not longer.
    expect(tookMs).toBeGreaterThan(1900);
    // Every 201 is an order the service stored and charged, for the customer whose token it was.
    expect(await ordersByCustomer("loadgen-counts-")).toEqual({
      "loadgen-counts-1": Array(5).fill("paid"),
      "loadgen-counts-2": Array(5).fill("paid"),
    });
  });

  it("counts answers that are not 2xx, and exits 2", async () => {
    // No --token-url: every /orders call is refused.
    const { code, report } = await loadgen(
      ...["--url", serviceUrl(), "--seconds", "1", "--rate", "10", "--post-percent", "50"],
    );
    expect(code).toBe(2);
    expect(report).toMatchObject({
      requests: 10,
      statuses: { "401": 10 },
      non2xx: 10,
      connectionErrors: 0,
    });
  });

  it("counts requests that got no answer by reason, and exits 2", async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, "127.0.0.1", () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const { code, report } = await loadgen(
      ...["--url", `http://127.0.0.1:${closedPort}`, "--seconds", "1", "--rate", "8"],
    );
    expect(code).toBe(2);
    expect(report).toMatchObject({
      requests: 8,
      statuses: {},
      connectionErrors: 8,
      errors: { ECONNREFUSED: 8 },
      latencyMs: null,
    });
  });

  it("counts a request the service does not answer in --timeout-ms as a timeout", async () => {
    // A product no earlier test ordered, so no cached price answers for the slow catalogue.
    await stack.products.setFaults({ latencyMs: 3000 });
    const { code, report } = await loadgen(
      ...["--url", serviceUrl(), "--seconds", "1", "--rate", "2", "--post-percent", "100"],
      ...["--product", "sku-grinder"],
      ...["--timeout-ms", "500", "--token-url", tokenUrl(), "--customer", "loadgen-slow"],
    );
    expect(code).toBe(2);
    expect(report).toMatchObject({ requests: 2, connectionErrors: 2, errors: { timeout: 2 } });
  });

  it("refuses bad arguments with one message naming each, before sending anything", async () => {
    const { code, stdout, stderr } = await loadgen(
      ...["--url", "ftp://x", "--seconds", "0", "--rate", "fast", "--customers", "3"],
    );
    expect(code).toBe(1);
    expect(stdout).toEqual([]);
    expect(stderr.split("\n").slice(0, 4)).toEqual([
      '--url must be an http or https URL, got "ftp://x"',
      '--seconds must be a whole number from 1 to 3600, got "0"',
      '--rate must be a number of requests per second above 0 and at most 1000, got "fast"',
      "--customers needs --customer, the prefix of the customers' ids",
    ]);
    expect(stderr).toContain("usage: loadgen --url URL --seconds N --rate R [options]");
  });

  it("needs a token from the identity provider when asked for one, and says why it got none", async () => {
    await stack.identity.setFaults({ down: true }); // connections reset, no answer
    const { code, stdout, stderr } = await loadgen(
      ...["--url", serviceUrl(), "--seconds", "1", "--rate", "1"],
      ...["--token-url", tokenUrl(), "--customer", "loadgen-no-token"],
    );
    expect(code).toBe(1);
    expect(stdout).toEqual([]);
    expect(stderr).toMatch(
      /^loadgen failed: no token for loadgen-no-token from http:\/\/127\.0\.0\.1:\d+\/token: (HTTP \d{3}|[A-Z_]+)\n$/,
    );
  });
});
