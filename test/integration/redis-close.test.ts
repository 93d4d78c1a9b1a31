// Closing the Redis client must leave nothing behind that keeps the process alive: a closing
// service (or test run) should end the moment its work is done, Redis up or down.
import pino from "pino";
import { closeRedis, createRedisClient } from "../../src/infra/redis";
import { REDIS_URL, uniqueRedisPrefix } from "../support/backing-services";
import { timersLeftBy } from "../support/timer-census";

const clientOf = (url: string) =>
  createRedisClient(
    { url, commandTimeoutMs: 500, keyPrefix: uniqueRedisPrefix() },
    pino({ level: "silent" }),
  );

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ioredis' own timers (reconnect, disconnect), wherever the client was created from.
const IOREDIS = "node_modules/ioredis";

describe("closing the Redis client", () => {
  it("leaves no timer running when Redis is unreachable and the client waits to retry", async () => {
    const left = await timersLeftBy(async () => {
      // Port 1 on loopback: nothing listens, so every attempt is refused at once.
      const redis = clientOf("redis://127.0.0.1:1/0");
      await redis.connect().catch(() => undefined);
      while (redis.status !== "reconnecting") await pause(5);
      await closeRedis(redis);
    }, IOREDIS);
    expect(left).toEqual([]);
  });

  it("leaves no timer running after closing a connected client", async () => {
    const left = await timersLeftBy(async () => {
      const redis = clientOf(REDIS_URL);
      await redis.connect();
      await redis.ping();
      await closeRedis(redis);
    }, IOREDIS);
    expect(left).toEqual([]);
  });
});
