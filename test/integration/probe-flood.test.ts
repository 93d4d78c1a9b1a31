// /health/ready under a flood of probes, against real Postgres reached through a TCP proxy
// that a test can turn into a black hole (a partition: connections accepted, never answered).
import request from "supertest";
import { TcpProxy } from "../support/tcp-proxy";
import { startTestStack, type TestStack } from "../support/test-stack";
import { waitFor } from "../support/processes";

describe("a flood of readiness probes", () => {
  let proxy: TcpProxy;
  let direct: TestStack;
  let stack: TestStack;
  beforeAll(async () => {
    proxy = await TcpProxy.start("127.0.0.1", 5432);
    direct = await startTestStack();
    const url = new URL(direct.database.url);
    url.port = String(proxy.port);
    // The replica under test reaches the same database through the proxy.
    // The shipped check timeout (1 s): a shorter one fails healthy checks when the machine is
    // busy, and the black-hole waves below take only a second each with it.
    stack = await startTestStack({ DATABASE_URL: url.href }, direct);
  });
  afterAll(async () => {
    proxy.restore();
    await stack.close();
    await direct.close();
    await proxy.close();
  });

  it("shares one check among 100 concurrent probes while Postgres is healthy", async () => {
    // Healthy means connected: the health pool's first connection (through the proxy) is not
    // what the flood is about.
    await waitFor("a first ready answer", async () => {
      return (await request(stack.app).get("/health/ready")).status === 200;
    });
    const answers = await Promise.all(
      Array.from({ length: 100 }, () => request(stack.app).get("/health/ready")),
    );
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    expect(stack.service.healthPool.totalCount).toBeLessThanOrEqual(1);
  });

  it("queues nothing on the health pool while Postgres is a black hole, and is ready again at once after", async () => {
    proxy.cut("blackhole");
    let mostWaiting = 0;
    const sampler = setInterval(() => {
      mostWaiting = Math.max(mostWaiting, stack.service.healthPool.waitingCount);
    }, 5);
    try {
      for (let wave = 0; wave < 4; wave += 1) {
        const answers = await Promise.all(
          Array.from({ length: 50 }, () => request(stack.app).get("/health/ready")),
        );
        expect(answers.map((answer) => answer.status)).toEqual(Array(50).fill(503));
        expect(answers[0]!.body.checks.postgres).toMatchObject({ status: "down" });
      }
    } finally {
      clearInterval(sampler);
    }
    expect(mostWaiting).toBe(0);

    proxy.restore();
    await waitFor(
      "/health/ready to answer 200 again",
      async () => (await request(stack.app).get("/health/ready")).status === 200,
      { timeoutMs: 3000 },
    );
    expect(stack.service.healthPool.waitingCount).toBe(0);
  });
});
