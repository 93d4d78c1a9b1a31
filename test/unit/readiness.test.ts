import {
  ReadinessChecker,
  type DependencyCheck,
  type ReadinessReport,
} from "../../src/lifecycle/readiness";
import { isProbePath } from "../../src/http/probe-paths";

const up = (name: string, decisive = true): DependencyCheck => ({
  name,
  decisive,
  run: () => Promise.resolve(),
});
const failing = (name: string, decisive: boolean): DependencyCheck => ({
  name,
  decisive,
  run: () => Promise.reject(new Error("ECONNREFUSED")),
});

function checker(checks: DependencyCheck[], timeoutMs = 100) {
  const failures: string[] = [];
  const readiness = new ReadinessChecker({
    checks,
    timeoutMs,
    onFailure: (name) => failures.push(name),
  });
  return { readiness, failures };
}

describe("readiness checks", () => {
  it("is unready when a decisive check (Postgres) fails", async () => {
    const { readiness, failures } = checker([failing("postgres", true), up("redis", false)]);
    const report = await readiness.check();
    expect(report.ready).toBe(false);
    expect(report.checks.postgres).toMatchObject({ status: "down", reason: "error" });
    expect(failures).toEqual(["postgres"]);
  });

  it("stays ready, but degraded, when only a non-decisive check (Redis) fails", async () => {
    const { readiness, failures } = checker([up("postgres"), failing("redis", false)]);
    const report = await readiness.check();
    expect(report).toMatchObject({ ready: true, degraded: true });
    expect(report.checks.redis).toMatchObject({ status: "down", reason: "error" });
    expect(failures).toEqual(["redis"]);
  });

  it("is ready and not degraded when every check is up", async () => {
    const { readiness } = checker([up("postgres"), up("redis", false)]);
    expect(await readiness.check()).toMatchObject({ ready: true, degraded: false });
  });

  describe("on a fake clock", () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    it("gives up on a hung check after its own timeout, and says so", async () => {
      const hung: DependencyCheck = {
        name: "postgres",
        decisive: true,
        run: () => new Promise(() => undefined),
      };
      const checking = checker([hung, up("redis", false)], 50).readiness.check();
      await jest.advanceTimersByTimeAsync(49);
      let report: ReadinessReport | undefined;
      void checking.then((done) => (report = done));
      await Promise.resolve();
      expect(report).toBeUndefined();
      await jest.advanceTimersByTimeAsync(1);
      expect(await checking).toEqual({
        ready: false,
        degraded: true,
        checks: {
          postgres: { status: "down", durationMs: 50, reason: "timeout" },
          redis: { status: "up", durationMs: 0 },
        },
      });
    });

    it("leaves no timer behind once a check has answered, up or down", async () => {
      const { readiness } = checker([up("postgres"), failing("redis", false)], 5_000);
      await readiness.check();
      expect(jest.getTimerCount()).toBe(0);
    });
  });

  it("reports how long each check took, on the monotonic clock", async () => {
    let nowMs = 1_000;
    jest.spyOn(performance, "now").mockImplementation(() => nowMs);
    const slow = (name: string, ms: number, outcome: "up" | "down"): DependencyCheck => ({
      name,
      decisive: true,
      run: () => {
        nowMs += ms;
        return outcome === "up" ? Promise.resolve() : Promise.reject(new Error("refused"));
      },
    });
    const answered = await checker([slow("postgres", 250.4, "up")]).readiness.check();
    const refused = await checker([slow("redis", 100.6, "down")]).readiness.check();
    jest.restoreAllMocks();
    expect(answered.checks).toEqual({ postgres: { status: "up", durationMs: 250 } });
    expect(refused.checks).toEqual({ redis: { status: "down", durationMs: 101, reason: "error" } });
  });

  it("shares one run in flight among concurrent probes, and logs its failure once", async () => {
    let runs = 0;
    let fail!: (error: Error) => void;
    const slow: DependencyCheck = {
      name: "postgres",
      decisive: true,
      run: () => {
        runs += 1;
        return new Promise((_, reject) => (fail = reject));
      },
    };
    const { readiness, failures } = checker([slow], 1000);
    const probes = Array.from({ length: 50 }, () => readiness.check());
    fail(new Error("connection reset"));
    const reports = await Promise.all(probes);
    expect(runs).toBe(1);
    expect(failures).toEqual(["postgres"]);
    expect(reports.every((report) => !report.ready)).toBe(true);
  });

  it("does not start another run while one that timed out is still in flight", async () => {
    let runs = 0;
    let finish!: () => void;
    const hung: DependencyCheck = {
      name: "postgres",
      decisive: true,
      run: () => {
        runs += 1;
        // The first run hangs until finish(); later ones answer at once.
        return runs === 1 ? new Promise<void>((resolve) => (finish = resolve)) : Promise.resolve();
      },
    };
    const { readiness } = checker([hung], 20);
    expect((await readiness.check()).ready).toBe(false);
    expect((await readiness.check()).ready).toBe(false);
    expect(runs).toBe(1);
    finish();
    await new Promise((resolve) => setImmediate(resolve));
    expect((await readiness.check()).ready).toBe(true);
    expect(runs).toBe(2);
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
