// LOG_FILE (the copy the log-shipping sidecar tails) over a whole process life: requests are
// in it, the shutdown's own last lines are in it, and the process still exits 0.
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startService } from "../support/processes";
import { killServiceProcesses, useE2eStack } from "./e2e-stack";
import { anOrder, request } from "./http-client";

jest.setTimeout(30_000);

const stack = useE2eStack();
afterAll(killServiceProcesses);

describe("a service writing LOG_FILE", () => {
  it("keeps every line, up to 'shutdown complete', and exits 0 on SIGTERM", async () => {
    const directory = mkdtempSync(path.join(tmpdir(), "app-logs-"));
    const service = await startService(
      stack.environment({ LOG_FILE: path.join(directory, "app.log") }),
    );
    const headers = await stack.authorization();
    expect((await request(service.port, "/orders", { body: anOrder(), headers })).status).toBe(201);
    service.kill("SIGTERM");
    const status = await service.exited;
    expect(status.code).toBe(0);
    expect(service.stderr).toBe("");

    const files = readdirSync(directory);
    expect(files).toEqual(["app.1.log"]);
    const text = readFileSync(path.join(directory, files[0]!), "utf8");
    const messages = text
      .trim()
      .split("\n")
      .map((line) => (JSON.parse(line) as { msg: string }).msg);
    expect(messages).toContain("request completed");
    expect(messages.at(-1)).toBe("shutdown complete");
    // The copy the sidecar ships holds no bearer token either (nor does stdout).
    const token = headers.Authorization!.replace(/^Bearer /, "");
    expect(text).not.toContain(token);
    expect(service.stdoutLines.join("\n")).not.toContain(token);
  });
});
