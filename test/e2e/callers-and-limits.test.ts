// Callers and limits with real processes: two service processes enforce ONE rate limit through
// the one Redis, and a key rotated at the identity provider is accepted without a restart.
import { randomUUID } from "node:crypto";
import { uniqueRedisPrefix } from "../support/backing-services";
import { startService, type ServiceProcess } from "../support/processes";
import { killServiceProcesses, useE2eStack } from "./e2e-stack";
import { request } from "./http-client";

jest.setTimeout(30_000);

const stack = useE2eStack();

describe("two service processes sharing one Redis", () => {
  let replicas: ServiceProcess[];
  beforeAll(async () => {
    const shared = stack.environment({
      REDIS_KEY_PREFIX: uniqueRedisPrefix(),
      RATE_LIMIT_REQUESTS: "6",
      RATE_LIMIT_WINDOW_S: "60",
    });
    replicas = await Promise.all([startService(shared), startService(shared)]);
  });
  afterAll(killServiceProcesses);

  it("lets a caller make RATE_LIMIT_REQUESTS requests in all, wherever they land", async () => {
    const authorization = await stack.authorization(`limited-${randomUUID()}`);
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        request(replicas[i % 2]!.port, "/orders", { method: "GET", headers: authorization }),
      ),
    );
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429, 429, 429, 429]);
    const refused = answers.find((answer) => answer.status === 429)!;
    expect(refused.headers["retry-after"]).toMatch(/^\d+$/);
    expect(refused.headers["ratelimit-policy"]).toBe('"per-caller";q=6;w=60');
  });
});

describe("a signing key rotated at the identity provider", () => {
  let service: ServiceProcess;
  beforeAll(async () => {
    service = await startService(stack.environment({ AUTH_JWKS_COOLDOWN_MS: "0" }));
  });
  afterAll(killServiceProcesses);

  it("is accepted by the running service, and the old key's tokens still are", async () => {
    const before = await stack.identity.mintBearer("rotating-customer");
    const list = (authorization: string) =>
      request(service.port, "/orders", {
        method: "GET",
        headers: { Authorization: authorization },
      });
    expect((await list(before)).status).toBe(200);
    await stack.identity.rotateKey();
    const after = await stack.identity.mintBearer("rotating-customer");
    expect(after).not.toBe(before);
    expect((await list(after)).status).toBe(200);
    expect((await list(before)).status).toBe(200);
  });
});
