import {
  BreakerOpenError,
  CircuitBreaker,
  type BreakerStateChange,
} from "../../../src/resilience/circuit-breaker";

class UpstreamDown extends Error {}
class CallerFault extends Error {}

/** An upstream whose next answers the test scripts, counting the calls that reach it. */
function scriptedUpstream() {
  const upstream = {
    calls: 0,
    failing: false,
    callerFault: false,
    /** When set, calls wait for it: a slow upstream. */
    gate: undefined as Promise<void> | undefined,
    action: async (): Promise<string> => {
      upstream.calls += 1;
      await upstream.gate;
      if (upstream.callerFault) throw new CallerFault("402 declined");
      if (upstream.failing) throw new UpstreamDown("503");
      return "ok";
    },
  };
  return upstream;
}

function breakerFor(upstream: ReturnType<typeof scriptedUpstream>, overrides = {}) {
  const changes: BreakerStateChange[] = [];
  const breaker = new CircuitBreaker(upstream.action, {
    name: "payment-service",
    failureThreshold: 5,
    resetTimeoutMs: 60_000,
    successThreshold: 2,
    isFailure: (error) => error instanceof UpstreamDown,
    onStateChange: (change) => changes.push(change),
    ...overrides,
  });
  return { breaker, changes };
}

async function failTimes(breaker: CircuitBreaker<[], string>, times: number) {
  for (let i = 0; i < times; i += 1) await breaker.fire().catch(() => undefined);
}

describe("circuit breaker", () => {
  let breaker: CircuitBreaker<[], string>;
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => {
    breaker?.shutdown();
    jest.useRealTimers();
  });

  it("stays closed after threshold - 1 failures and opens on exactly the threshold", async () => {
    const upstream = scriptedUpstream();
    ({ breaker } = breakerFor(upstream));
    upstream.failing = true;
    await failTimes(breaker, 4);
    expect(breaker.state).toBe("closed");
    await failTimes(breaker, 1);
    expect(breaker.state).toBe("open");
  });

  it("opens even when the failures follow many successes (the count never goes below zero)", async () => {
    const upstream = scriptedUpstream();
    ({ breaker } = breakerFor(upstream));
    for (let i = 0; i < 100; i += 1) await breaker.fire();
    upstream.failing = true;
    await failTimes(breaker, 5);
    expect(breaker.state).toBe("open");
  });

  it("takes one failure away per success while closed", async () => {
    const upstream = scriptedUpstream();
    ({ breaker } = breakerFor(upstream));
    upstream.failing = true;
    await failTimes(breaker, 4); // count 4
    upstream.failing = false;
    await breaker.fire(); // count 3
    await breaker.fire(); // count 2
    upstream.failing = true;
    await failTimes(breaker, 2); // count 4
    expect(breaker.state).toBe("closed");
    await failTimes(breaker, 1); // count 5
    expect(breaker.state).toBe("open");
  });

  it("refuses at once without calling the upstream while open, with the time to the trial", async () => {
    const upstream = scriptedUpstream();
    ({ breaker } = breakerFor(upstream));
    upstream.failing = true;
    await failTimes(breaker, 5);
    const callsWhenOpened = upstream.calls;
    jest.advanceTimersByTime(20_000);
    const refusal = await breaker.fire().catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(BreakerOpenError);
    expect((refusal as BreakerOpenError).retryAfterMs).toBe(40_000);
    expect(upstream.calls).toBe(callsWhenOpened);
  });

  it("goes half-open after the reset timeout and lets one trial through at a time", async () => {
    const upstream = scriptedUpstream();
    ({ breaker } = breakerFor(upstream));
    upstream.failing = true;
    await failTimes(breaker, 5);
    jest.advanceTimersByTime(60_000);
    expect(breaker.state).toBe("half-open");
    upstream.failing = false;
    let release!: () => void;
    upstream.gate = new Promise<void>((resolve) => (release = resolve));
    const originalCalls = upstream.calls;
    const trial = breaker.fire();
    const concurrent = await breaker.fire().catch((error: unknown) => error);
    expect(concurrent).toBeInstanceOf(BreakerOpenError);
    release();
    await expect(trial).resolves.toBe("ok");
    expect(upstream.calls).toBe(originalCalls + 1);
  });

  it("closes only after successThreshold successful trials in a row", async () => {
    const upstream = scriptedUpstream();
    let changes: BreakerStateChange[];
    ({ breaker, changes } = breakerFor(upstream, { successThreshold: 3 }));
    upstream.failing = true;
    await failTimes(breaker, 5);
    jest.advanceTimersByTime(60_000);
    upstream.failing = false;
    await breaker.fire();
    await breaker.fire();
    expect(breaker.state).toBe("half-open");
    await breaker.fire();
    expect(breaker.state).toBe("closed");
    expect(changes.map((change) => change.to)).toEqual(["open", "half-open", "closed"]);
  });

  it("reopens on a failed trial, for another full reset timeout", async () => {
    const upstream = scriptedUpstream();
    let changes: BreakerStateChange[];
    ({ breaker, changes } = breakerFor(upstream));
    upstream.failing = true;
    await failTimes(breaker, 5);
    jest.advanceTimersByTime(60_000);
    upstream.failing = false;
    await breaker.fire(); // one success of the two needed
    upstream.failing = true;
    await failTimes(breaker, 1);
    expect(breaker.state).toBe("open");
    jest.advanceTimersByTime(59_999);
    expect(breaker.state).toBe("open");
    jest.advanceTimersByTime(1);
    expect(breaker.state).toBe("half-open");
    expect(changes.map((change) => change.to)).toEqual(["open", "half-open", "open", "half-open"]);
  });

  it("does not count the caller's faults (declines, 4xx) as failures, and still passes them on", async () => {
    const upstream = scriptedUpstream();
    ({ breaker } = breakerFor(upstream));
    upstream.callerFault = true;
    for (let i = 0; i < 20; i += 1) {
      await expect(breaker.fire()).rejects.toBeInstanceOf(CallerFault);
    }
    expect(breaker.state).toBe("closed");
  });

  it("does not let a caller fault take a counted failure away while closed", async () => {
    const upstream = scriptedUpstream();
    ({ breaker } = breakerFor(upstream));
    upstream.failing = true;
    await failTimes(breaker, 4);
    upstream.failing = false;
    upstream.callerFault = true;
    await failTimes(breaker, 10);
    upstream.callerFault = false;
    upstream.failing = true;
    await failTimes(breaker, 1);
    expect(breaker.state).toBe("open");
  });

  it("neither closes nor reopens on a half-open trial that ends in a caller fault", async () => {
    const upstream = scriptedUpstream();
    ({ breaker } = breakerFor(upstream, { successThreshold: 1 }));
    upstream.failing = true;
    await failTimes(breaker, 5);
    jest.advanceTimersByTime(60_000);
    upstream.failing = false;
    upstream.callerFault = true;
    await expect(breaker.fire()).rejects.toBeInstanceOf(CallerFault);
    expect(breaker.state).toBe("half-open");
    upstream.callerFault = false;
    await breaker.fire();
    expect(breaker.state).toBe("closed");
  });

  it("reports each state change once", async () => {
    const upstream = scriptedUpstream();
    let changes: BreakerStateChange[];
    ({ breaker, changes } = breakerFor(upstream, { failureThreshold: 1 }));
    upstream.failing = true;
    await failTimes(breaker, 3);
    expect(changes).toEqual([{ breaker: "payment-service", from: "closed", to: "open" }]);
  });
});
