import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { closeLogFile, openRotatingLogFile } from "../../src/infra/log-file";
import { createLogger } from "../../src/infra/logger";
import { createPostgresPool } from "../../src/infra/postgres";
import {
  createTestDatabase,
  withAdminClient,
  type TestDatabase,
} from "../support/backing-services";
import { LogCapture } from "../support/log-capture";
import { waitFor } from "../support/processes";

describe("the Postgres pool", () => {
  let database: TestDatabase;
  beforeAll(async () => (database = await createTestDatabase()));
  afterAll(() => database.drop());

  it("survives an idle connection being killed by the server, logs it, and reconnects", async () => {
    const logs = new LogCapture();
    const logger = createLogger({ level: "info", destinations: [logs], stdout: false });
    const pool = createPostgresPool(
      { url: database.url, poolMax: 2, connectTimeoutMs: 2000, statementTimeoutMs: 5000 },
      logger,
      "pool-error-test",
    );
    const client = await pool.connect();
    client.release(); // now idle in the pool
    await withAdminClient((admin) =>
      admin.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'pool-error-test'",
      ),
    );
    await waitFor("the pool to report the dead idle client", () =>
      logs.entries.some((entry) => entry.msg === "idle Postgres client failed"),
    );
    const { rows } = await pool.query<{ ok: number }>("SELECT 1 AS ok");
    expect(rows[0]?.ok).toBe(1);
    await pool.end();
  });
});

describe("LOG_FILE", () => {
  it("writes a copy of the JSON log stream for a log shipper, secrets redacted", async () => {
    const directory = mkdtempSync(path.join(tmpdir(), "logs-"));
    const file = await openRotatingLogFile(path.join(directory, "app.log"));
    const logger = createLogger({
      level: "info",
      destinations: [file],
      stdout: false,
      secretValues: ["sk-secret-value"],
    });
    logger.info({ paymentToken: "tok_1" }, "first line");
    logger.warn("used sk-secret-value");
    logger.flush();
    await closeLogFile(file);
    const written = readdirSync(directory);
    expect(written).toEqual(["app.1.log"]);
    const lines = readFileSync(path.join(directory, written[0]!), "utf8").trim().split("\n");
    expect(
      lines.map((line) => JSON.parse(line) as { msg: string }).map((entry) => entry.msg),
    ).toEqual(["first line", "used [Redacted]"]);
    expect(lines.join("\n")).not.toContain("tok_1");
  });
});
