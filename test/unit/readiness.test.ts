import { checkDependencies } from "../../src/lifecycle/readiness";
import { isProbePath } from "../../src/http/request-logging";

describe("dependency checks", () => {
  it("reports each check separately and is ready only when all are up", async () => {
    const failures: string[] = [];
    const report = await checkDependencies(
      [
        { name: "postgres", run: () => Promise.resolve() },
        { name: "redis", run: () => Promise.reject(new Error("ECONNREFUSED")) },
      ],
      100,
      (name) => failures.push(name),
    );
    expect(report.ready).toBe(false);
    expect(report.checks.postgres).toMatchObject({ status: "up" });
    expect(report.checks.redis).toMatchObject({ status: "down", reason: "error" });
    expect(failures).toEqual(["redis"]);
  });

  it("gives up on a hung check after its own timeout", async () => {
    const started = Date.now();
    const report = await checkDependencies(
      [{ name: "postgres", run: () => new Promise(() => undefined) }],
      50,
      () => undefined,
    );
    expect(report.checks.postgres).toMatchObject({ status: "down", reason: "timeout" });
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe("probe paths", () => {
  it.each([
    ["/health/live", true],
    ["/health/ready?verbose=1", true],
    ["/orders", false],
    ["/orders?x=/health/live", false],
  ])("%s is a probe: %s", (url, expected) => {
    expect(isProbePath(url)).toBe(expected);
  });
});
