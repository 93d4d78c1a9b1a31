// The instant between pg-pool handing out a client and the caller's 'error' listener: pg-pool
// takes its own listener off as it hands the client out, and `await pool.connect()` resumes the
// caller a microtask later. When the server's FATAL (pg_terminate_backend, a failover) arrives
// in the same socket read as the checkout, pg emits 'error' inside that instant, and an
// 'error' nobody listens to crashes the process (the chaos run caught it: "uncaught exception:
// terminating connection due to administrator command").
import type { PoolClient } from "pg";
import { createLogger } from "../../src/infra/logger";
import { createPostgresPool, withPoolClient } from "../../src/infra/postgres";
import { createTestDatabase, type TestDatabase } from "../support/backing-services";

const terminated = () =>
  Object.assign(new Error("terminating connection due to administrator command"), {
    code: "57P01",
  });

describe("a client that fails the moment the pool hands it out", () => {
  let database: TestDatabase;
  beforeAll(async () => (database = await createTestDatabase()));
  afterAll(() => database.drop());

  const poolFor = () =>
    createPostgresPool(
      { url: database.url, poolMax: 1, connectTimeoutMs: 2000, statementTimeoutMs: 5000 },
      createLogger({ level: "silent", stdout: false }),
      "checkout-race-test",
    );

  it("is heard by withPoolClient (no crash) and destroyed on release, never reused", async () => {
    const pool = poolFor();
    await pool.query("SELECT 1"); // one idle client to hand out
    let emitted: unknown = "not emitted";
    pool.once("acquire", (client: PoolClient) => {
      // After pg-pool has taken its listener off and called back, before the caller resumes:
      // where pg emits it when the FATAL is parsed in the same read as the checkout.
      process.nextTick(() => {
        try {
          client.emit("error", terminated());
          emitted = "heard";
        } catch (error) {
          emitted = error;
        }
      });
    });

    await withPoolClient(pool, (client) => client.query("SELECT 1")).catch(() => undefined);
    expect(emitted).toBe("heard");

    expect(pool.totalCount).toBe(0);
    await pool.end();
  });
});
