// Closing the Redis client must leave nothing behind that keeps the process alive: a closing
// service (or test run) should end the moment its work is done, Redis up or down.
import { createHook } from "node:async_hooks";
import pino from "pino";
import { closeRedis, createRedisClient } from "../../src/infra/redis";
import { REDIS_URL, uniqueRedisPrefix } from "../support/backing-services";

const clientOf = (url: string) =>
  createRedisClient(
    { url, commandTimeoutMs: 500, keyPrefix: uniqueRedisPrefix() },
    pino({ level: "silent" }),
  );

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Timers that `work` started and that are still pending `settleMs` after it ended. */
async function timersLeftBy(work: () => Promise<void>, settleMs = 50): Promise<string[]> {
  const pending = new Map<number, string>();
  let recording = true;
  const hook = createHook({
    init(id, type) {
      if (recording && type === "Timeout") pending.set(id, new Error().stack ?? "");
    },
    destroy(id) {
      pending.delete(id);
    },
  }).enable();
  try {
    await work();
    recording = false;
    await pause(settleMs);
  } finally {
    hook.disable();
  }
  return [...pending.values()];
}

describe("closing the Redis client", () => {
  it("leaves no timer running when Redis is unreachable and the client waits to retry", async () => {
    const left = await timersLeftBy(async () => {
      // Port 1 on loopback: nothing listens, so every attempt is refused at once.
      const redis = clientOf("redis://127.0.0.1:1/0");
      await redis.connect().catch(() => undefined);
      while (redis.status !== "reconnecting") await pause(5);
      await closeRedis(redis);
    });
    expect(left).toEqual([]);
  });

  it("leaves no timer running after closing a connected client", async () => {
    const left = await timersLeftBy(async () => {
      const redis = clientOf(REDIS_URL);
      await redis.connect();
      await redis.ping();
      await closeRedis(redis);
    });
    expect(left).toEqual([]);
  });
});
