// The payment and product breakers, as DESIGN.md "Resilience policy" specifies them. Time is
// jest's fake clock, so calls can outlast a 10 s rolling window (opossum's, whose error
// percentage once opened this breaker below its threshold) and the open -> half-open timing
// is exact. The last block proves the wiring to opossum: its state, reset timer and events
// are used, its fire() never is.
import Opossum from "opossum";
import {
  BreakerOpenError,
  CircuitBreaker,
  type BreakerState,
  type BreakerStateChange,
} from "../../../src/resilience/circuit-breaker";

class UpstreamDown extends Error {}
class CallerFault extends Error {}

type Answer = "ok" | "down" | "caller-fault";

/** A call the test answers later, for calls that span a state change. */
interface HeldCall {
  /** Answers the call and waits until the breaker has seen the answer. */
  answer(answer: Answer): Promise<unknown>;
}

/** An upstream whose next answers the test scripts, counting the calls that reach it. */
function scriptedUpstream() {
  let nextHeldAnswer: Promise<Answer> | undefined;
  const upstream = {
    calls: 0,
    failing: false,
    callerFault: false,
    /** How long each call takes, on the fake clock. */
    latencyMs: 0,
    action: async (): Promise<string> => {
      upstream.calls += 1;
      const held = nextHeldAnswer;
      nextHeldAnswer = undefined;
      let answer: Answer = upstream.callerFault ? "caller-fault" : upstream.failing ? "down" : "ok";
      if (held) answer = await held;
      else if (upstream.latencyMs > 0) {
        await new Promise((resolve) => setTimeout(resolve, upstream.latencyMs));
      }
      if (answer === "caller-fault") throw new CallerFault("402 declined");
      if (answer === "down") throw new UpstreamDown("503");
      return "ok";
    },
    /** Fires one call through `breaker` that stays in flight until the test answers it. */
    startHeldCall(breaker: CircuitBreaker<[], string>): HeldCall {
      let answerWith!: (answer: Answer) => void;
      nextHeldAnswer = new Promise<Answer>((resolve) => (answerWith = resolve));
      const callsBefore = upstream.calls;
      const settled = breaker.fire().catch((error: unknown) => error);
      if (upstream.calls === callsBefore) {
        throw new Error("the breaker refused the call the test meant to hold");
      }
      return {
        answer: (answer) => {
          answerWith(answer);
          return settled;
        },
      };
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

async function succeedTimes(breaker: CircuitBreaker<[], string>, times: number) {
  for (let i = 0; i < times; i += 1) await breaker.fire();
}

/** Fires one call whose answer arrives `ms` later on the fake clock, and waits for it. */
async function slowCall(
  upstream: ReturnType<typeof scriptedUpstream>,
  breaker: CircuitBreaker<[], string>,
  ms: number,
) {
  upstream.latencyMs = ms;
  const settled = breaker.fire().catch((error: unknown) => error);
  upstream.latencyMs = 0;
  await jest.advanceTimersByTimeAsync(ms);
  return settled;
}

describe("circuit breaker", () => {
  let breaker: CircuitBreaker<[], string>;
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => {
    breaker?.shutdown();
    jest.restoreAllMocks();
    jest.useRealTimers();
  });

  describe("while closed", () => {
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
      await succeedTimes(breaker, 100);
      upstream.failing = true;
      await failTimes(breaker, 5);
      expect(breaker.state).toBe("open");
    });

    it("takes one failure away per success", async () => {
      const upstream = scriptedUpstream();
      ({ breaker } = breakerFor(upstream));
      upstream.failing = true;
      await failTimes(breaker, 4); // count 4
      upstream.failing = false;
      await succeedTimes(breaker, 2); // count 2
      upstream.failing = true;
      await failTimes(breaker, 2); // count 4
      expect(breaker.state).toBe("closed");
      await failTimes(breaker, 1); // count 5
      expect(breaker.state).toBe("open");
    });

    it("stays closed after one failure whose call outlasted the 10 s rolling window", async () => {
      const upstream = scriptedUpstream();
      ({ breaker } = breakerFor(upstream, { failureThreshold: 3 }));
      upstream.failing = true;
      const outcome = await slowCall(upstream, breaker, 15_000);
      expect(outcome).toBeInstanceOf(UpstreamDown);
      expect(breaker.state).toBe("closed");
    });

    it("opens on exactly the threshold when every failing call outlasts the rolling window", async () => {
      const upstream = scriptedUpstream();
      ({ breaker } = breakerFor(upstream, { failureThreshold: 3 }));
      upstream.failing = true;
      await slowCall(upstream, breaker, 15_000);
      await slowCall(upstream, breaker, 15_000);
      expect(breaker.state).toBe("closed");
      await slowCall(upstream, breaker, 15_000);
      expect(breaker.state).toBe("open");
    });

    it("counts two failures 11 s apart and the successes after them as the seed says", async () => {
      const upstream = scriptedUpstream();
      ({ breaker } = breakerFor(upstream, { failureThreshold: 3 }));
      upstream.failing = true;
      await slowCall(upstream, breaker, 11_000); // count 1, its call started 11 s ago
      await slowCall(upstream, breaker, 11_000); // count 2
      expect(breaker.state).toBe("closed");
      upstream.failing = false;
      await succeedTimes(breaker, 50); // count 0, never below
      upstream.failing = true;
      await failTimes(breaker, 2); // count 2
      expect(breaker.state).toBe("closed");
      await failTimes(breaker, 1); // count 3
      expect(breaker.state).toBe("open");
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

    it("does not let a caller fault take a counted failure away", async () => {
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

    it("does not count a failure whose call started in an earlier closed period", async () => {
      const upstream = scriptedUpstream();
      ({ breaker } = breakerFor(upstream, { failureThreshold: 2, successThreshold: 1 }));
      const straggler = upstream.startHeldCall(breaker);
      upstream.failing = true;
      await failTimes(breaker, 2);
      jest.advanceTimersByTime(60_000);
      upstream.failing = false;
      await breaker.fire(); // the trial closes it: a new closed period, count 0
      expect(breaker.state).toBe("closed");

      await straggler.answer("down");
      upstream.failing = true;
      await failTimes(breaker, 1); // count 1 of 2
      expect(breaker.state).toBe("closed");
      await failTimes(breaker, 1);
      expect(breaker.state).toBe("open");
    });

    it("does not let a success whose call started in an earlier period take a failure away", async () => {
      const upstream = scriptedUpstream();
      ({ breaker } = breakerFor(upstream, { failureThreshold: 2, successThreshold: 1 }));
      const straggler = upstream.startHeldCall(breaker);
      upstream.failing = true;
      await failTimes(breaker, 2);
      jest.advanceTimersByTime(60_000);
      upstream.failing = false;
      await breaker.fire(); // closed again, count 0
      upstream.failing = true;
      await failTimes(breaker, 1); // count 1

      await straggler.answer("ok");
      await failTimes(breaker, 1); // count 2: the straggler took nothing away
      expect(breaker.state).toBe("open");
    });
  });

  describe("while open", () => {
    it("refuses at once without calling the upstream, with the time to the trial", async () => {
      const upstream = scriptedUpstream();
      ({ breaker } = breakerFor(upstream));
      upstream.failing = true;
      await failTimes(breaker, 5);
      const callsWhenOpened = upstream.calls;
      jest.advanceTimersByTime(20_500);
      const refusal = await breaker.fire().catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(BreakerOpenError);
      expect((refusal as BreakerOpenError).breaker).toBe("payment-service");
      expect((refusal as BreakerOpenError).retryAfterMs).toBe(39_500);
      expect((refusal as BreakerOpenError).retryAfterS).toBe(40);
      expect(upstream.calls).toBe(callsWhenOpened);
    });

    it("goes half-open exactly resetTimeoutMs after it opened, and says so once", async () => {
      const upstream = scriptedUpstream();
      let changes: BreakerStateChange[];
      ({ breaker, changes } = breakerFor(upstream));
      upstream.failing = true;
      await failTimes(breaker, 5);
      jest.advanceTimersByTime(59_999);
      expect(breaker.state).toBe("open");
      expect(breaker.retryAfterMs).toBe(1);
      jest.advanceTimersByTime(1);
      expect(breaker.state).toBe("half-open");
      expect(breaker.retryAfterMs).toBe(0);
      expect(changes).toEqual([
        { breaker: "payment-service", from: "closed", to: "open" },
        { breaker: "payment-service", from: "open", to: "half-open" },
      ]);
    });

    it("is not closed or shortened by a slow success that completes while it is open", async () => {
      const upstream = scriptedUpstream();
      ({ breaker } = breakerFor(upstream));
      const straggler = upstream.startHeldCall(breaker);
      upstream.failing = true;
      await failTimes(breaker, 5);
      await expect(straggler.answer("ok")).resolves.toBe("ok");
      expect(breaker.state).toBe("open");
      jest.advanceTimersByTime(60_000);
      upstream.failing = false;
      await breaker.fire(); // one trial of the two needed: the straggler was not one
      expect(breaker.state).toBe("half-open");
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

  describe("while half-open", () => {
    async function halfOpenBreaker(overrides = {}) {
      const upstream = scriptedUpstream();
      let changes: BreakerStateChange[];
      ({ breaker, changes } = breakerFor(upstream, overrides));
      upstream.failing = true;
      await failTimes(breaker, 5);
      jest.advanceTimersByTime(60_000);
      upstream.failing = false;
      return { upstream, changes };
    }

    it("lets one trial through at a time, refusing a second caller itself", async () => {
      const { upstream } = await halfOpenBreaker();
      const trial = upstream.startHeldCall(breaker);
      const callsWithTrialInFlight = upstream.calls;
      const concurrent = await breaker.fire().catch((error: unknown) => error);
      expect(concurrent).toBeInstanceOf(BreakerOpenError);
      expect((concurrent as BreakerOpenError).retryAfterS).toBe(1);
      expect(upstream.calls).toBe(callsWithTrialInFlight);

      await expect(trial.answer("ok")).resolves.toBe("ok");
      expect(breaker.state).toBe("half-open"); // one success of the two needed
      await expect(breaker.fire()).resolves.toBe("ok"); // the next caller is the next trial
      expect(breaker.state).toBe("closed");
    });

    it("closes only after successThreshold successful trials in a row", async () => {
      const { changes } = await halfOpenBreaker({ successThreshold: 3 });
      await succeedTimes(breaker, 2);
      expect(breaker.state).toBe("half-open");
      await succeedTimes(breaker, 1);
      expect(breaker.state).toBe("closed");
      expect(changes.map((change) => change.to)).toEqual(["open", "half-open", "closed"]);
    });

    it("reopens on a failed trial, for another full reset timeout", async () => {
      const { upstream, changes } = await halfOpenBreaker();
      await breaker.fire(); // one success of the two needed
      upstream.failing = true;
      await failTimes(breaker, 1);
      expect(breaker.state).toBe("open");
      jest.advanceTimersByTime(59_999);
      expect(breaker.state).toBe("open");
      jest.advanceTimersByTime(1);
      expect(breaker.state).toBe("half-open");
      expect(changes.map((change) => change.to)).toEqual([
        "open",
        "half-open",
        "open",
        "half-open",
      ]);
    });

    it("starts the successes in a row again after it reopened", async () => {
      const { upstream } = await halfOpenBreaker();
      await breaker.fire(); // one success of the two needed
      upstream.failing = true;
      await failTimes(breaker, 1);
      jest.advanceTimersByTime(60_000);
      upstream.failing = false;
      await breaker.fire();
      expect(breaker.state).toBe("half-open");
    });

    it("neither closes nor reopens on a trial that ends in a caller fault", async () => {
      const { upstream } = await halfOpenBreaker({ successThreshold: 1 });
      upstream.callerFault = true;
      await expect(breaker.fire()).rejects.toBeInstanceOf(CallerFault);
      expect(breaker.state).toBe("half-open");
      upstream.callerFault = false;
      await breaker.fire();
      expect(breaker.state).toBe("closed");
    });

    it("does not take a call started while closed as a trial when it fails: it stays half-open", async () => {
      const upstream = scriptedUpstream();
      ({ breaker } = breakerFor(upstream, { successThreshold: 1 }));
      const straggler = upstream.startHeldCall(breaker);
      upstream.failing = true;
      await failTimes(breaker, 5);
      jest.advanceTimersByTime(60_000);
      expect(breaker.state).toBe("half-open");

      await expect(straggler.answer("down")).resolves.toBeInstanceOf(UpstreamDown);
      expect(breaker.state).toBe("half-open");
      upstream.failing = false;
      await breaker.fire(); // the first real trial
      expect(breaker.state).toBe("closed");
    });

    it("does not take a call started while closed as a trial when it succeeds: it stays half-open", async () => {
      const upstream = scriptedUpstream();
      ({ breaker } = breakerFor(upstream, { successThreshold: 1 }));
      const straggler = upstream.startHeldCall(breaker);
      upstream.failing = true;
      await failTimes(breaker, 5);
      jest.advanceTimersByTime(60_000);

      await expect(straggler.answer("ok")).resolves.toBe("ok");
      expect(breaker.state).toBe("half-open");
      expect(breaker.isRefusingCalls).toBe(false);
    });

    it("lets only the trial decide while stragglers from before it opened settle around it", async () => {
      const upstream = scriptedUpstream();
      ({ breaker } = breakerFor(upstream, { successThreshold: 1 }));
      const failingStraggler = upstream.startHeldCall(breaker);
      const succeedingStraggler = upstream.startHeldCall(breaker);
      upstream.failing = true;
      await failTimes(breaker, 5);
      jest.advanceTimersByTime(60_000);
      upstream.failing = false;
      const trial = upstream.startHeldCall(breaker);

      await failingStraggler.answer("down");
      await succeedingStraggler.answer("ok");
      expect(breaker.state).toBe("half-open");
      expect(breaker.isRefusingCalls).toBe(true);
      const callsWithTrialInFlight = upstream.calls;
      await expect(breaker.fire()).rejects.toBeInstanceOf(BreakerOpenError);
      expect(upstream.calls).toBe(callsWithTrialInFlight);

      await trial.answer("ok");
      expect(breaker.state).toBe("closed");
    });
  });

  describe("isRefusingCalls", () => {
    it("says whether fire() would refuse right now, without calling the upstream", async () => {
      const upstream = scriptedUpstream();
      ({ breaker } = breakerFor(upstream, { successThreshold: 1 }));
      expect(breaker.isRefusingCalls).toBe(false);
      upstream.failing = true;
      await failTimes(breaker, 5);
      expect(breaker.isRefusingCalls).toBe(true);
      jest.advanceTimersByTime(60_000);
      expect(breaker.isRefusingCalls).toBe(false);
      upstream.failing = false;
      const calls = upstream.calls;
      const trial = upstream.startHeldCall(breaker);
      expect(breaker.isRefusingCalls).toBe(true);
      await trial.answer("ok");
      expect(breaker.isRefusingCalls).toBe(false);
      expect(breaker.state).toBe("closed");
      expect(upstream.calls).toBe(calls + 1);
    });
  });

  describe("Retry-After", () => {
    it.each([
      [0, 1],
      [1, 1],
      [999, 1],
      [1000, 1],
      [1001, 2],
      [39_500, 40],
      [60_000, 60],
    ])("rounds %i ms up to %i whole seconds, at least 1", (ms, seconds) => {
      expect(new BreakerOpenError("payment-service", ms).retryAfterS).toBe(seconds);
    });
  });

  describe("shutdown", () => {
    it("stops the reset timer, so nothing changes state afterwards", async () => {
      const upstream = scriptedUpstream();
      let changes: BreakerStateChange[];
      ({ breaker, changes } = breakerFor(upstream));
      upstream.failing = true;
      await failTimes(breaker, 5);
      breaker.shutdown();
      jest.advanceTimersByTime(120_000);
      expect(breaker.state).toBe("open");
      expect(changes.map((change) => change.to)).toEqual(["open"]);
      expect(jest.getTimerCount()).toBe(0);
    });

    it("refuses every later call without calling the upstream", async () => {
      const upstream = scriptedUpstream();
      ({ breaker } = breakerFor(upstream));
      breaker.shutdown();
      expect(breaker.isRefusingCalls).toBe(true);
      await expect(breaker.fire()).rejects.toThrow("circuit breaker payment-service is shut down");
      expect(upstream.calls).toBe(0);
    });
  });

  it.each([0, 1.5, 2 ** 31])(
    "will not be built with a reset timeout of %d ms, which setTimeout cannot wait",
    (resetTimeoutMs) => {
      expect(() => breakerFor(scriptedUpstream(), { resetTimeoutMs })).toThrow(
        new RangeError(
          "circuit breaker payment-service: resetTimeoutMs must be a whole number of ms from 1 to 2147483647",
        ),
      );
    },
  );

  it.each([1, 2 ** 31 - 1])("is built with a reset timeout of %d ms", (resetTimeoutMs) => {
    ({ breaker } = breakerFor(scriptedUpstream(), { resetTimeoutMs }));
    expect(breaker.state).toBe("closed");
  });

  it("names the breaker in its refusal", async () => {
    const upstream = scriptedUpstream();
    ({ breaker } = breakerFor(upstream, { failureThreshold: 1 }));
    upstream.failing = true;
    await failTimes(breaker, 1);
    const refusal = await breaker.fire().catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(BreakerOpenError);
    expect(refusal).toMatchObject({
      name: "BreakerOpenError",
      message: "circuit breaker payment-service is open",
      breaker: "payment-service",
    });
  });

  describe("retryAfterMs, on its own clock", () => {
    it("is 0 while closed, the reset timeout left while open, 1 s while a trial is in flight", async () => {
      let nowMs = 0;
      const upstream = scriptedUpstream();
      ({ breaker } = breakerFor(upstream, { now: () => nowMs }));
      expect(breaker.retryAfterMs).toBe(0);
      upstream.failing = true;
      nowMs = 5_000;
      await failTimes(breaker, 5);
      nowMs = 25_000;
      expect(breaker.retryAfterMs).toBe(40_000);
      jest.advanceTimersByTime(60_000);
      nowMs = 65_000;
      expect(breaker.retryAfterMs).toBe(0);
      upstream.failing = false;
      const trial = upstream.startHeldCall(breaker);
      expect(breaker.retryAfterMs).toBe(1000);
      await expect(breaker.fire()).rejects.toMatchObject({ retryAfterMs: 1000 });
      await trial.answer("ok");
      expect(breaker.retryAfterMs).toBe(0);
    });
  });

  it("works without an onStateChange listener", async () => {
    const upstream = scriptedUpstream();
    ({ breaker } = breakerFor(upstream, { onStateChange: undefined, successThreshold: 1 }));
    upstream.failing = true;
    await failTimes(breaker, 5);
    expect(breaker.state).toBe("open");
    jest.advanceTimersByTime(60_000);
    expect(breaker.state).toBe("half-open");
    upstream.failing = false;
    await expect(breaker.fire()).resolves.toBe("ok");
    expect(breaker.state).toBe("closed");
  });

  it("reports the whole way round: closed, open, half-open, closed", async () => {
    const upstream = scriptedUpstream();
    let changes: BreakerStateChange[];
    ({ breaker, changes } = breakerFor(upstream, { successThreshold: 1 }));
    upstream.failing = true;
    await failTimes(breaker, 5);
    jest.advanceTimersByTime(60_000);
    upstream.failing = false;
    await breaker.fire();
    expect(changes).toEqual([
      { breaker: "payment-service", from: "closed", to: "open" },
      { breaker: "payment-service", from: "open", to: "half-open" },
      { breaker: "payment-service", from: "half-open", to: "closed" },
    ]);
  });

  describe("on opossum: its state, reset timer and events, never its fire()", () => {
    /** The opossum instance a spied-on prototype method last ran on. */
    function instanceOf(spy: jest.SpyInstance): Opossum {
      const instance = spy.mock.contexts.at(-1) as unknown;
      if (!(instance instanceof Opossum)) throw new Error("the spied-on method never ran");
      return instance;
    }

    /** opossum's reset timer, kept under a module-private symbol (circuit.js 22, 318). */
    function resetTimerOf(opossum: Opossum): NodeJS.Timeout {
      const key = Object.getOwnPropertySymbols(opossum).find(
        (symbol) => symbol.description === "reset-timeout",
      );
      if (!key) throw new Error("opossum has armed no reset timer");
      return (opossum as unknown as Record<symbol, NodeJS.Timeout>)[key]!;
    }

    async function openBreaker(overrides = {}) {
      const upstream = scriptedUpstream();
      let changes: BreakerStateChange[];
      ({ breaker, changes } = breakerFor(upstream, overrides));
      upstream.failing = true;
      await failTimes(breaker, 5);
      upstream.failing = false;
      return { upstream, changes };
    }

    it("never sends a call through opossum's fire() or call(), in any state", async () => {
      const fire = jest.spyOn(Opossum.prototype, "fire");
      const call = jest.spyOn(Opossum.prototype, "call");
      const upstream = scriptedUpstream();
      ({ breaker } = breakerFor(upstream));
      const straggler = upstream.startHeldCall(breaker);
      await succeedTimes(breaker, 3);
      upstream.callerFault = true;
      await failTimes(breaker, 2);
      upstream.callerFault = false;
      upstream.failing = true;
      await failTimes(breaker, 5); // opens
      await expect(breaker.fire()).rejects.toBeInstanceOf(BreakerOpenError);
      jest.advanceTimersByTime(60_000);
      await failTimes(breaker, 1); // a failed trial reopens it
      jest.advanceTimersByTime(60_000);
      upstream.failing = false;
      await straggler.answer("ok");
      await succeedTimes(breaker, 2); // two trials close it
      expect(breaker.state).toBe("closed");

      expect(upstream.calls).toBe(1 + 3 + 2 + 5 + 1 + 2);
      expect(fire).not.toHaveBeenCalled();
      expect(call).not.toHaveBeenCalled();
    });

    it("opens through opossum.open(), and has no timer at all while closed", async () => {
      const open = jest.spyOn(Opossum.prototype, "open");
      const upstream = scriptedUpstream();
      ({ breaker } = breakerFor(upstream));
      expect(jest.getTimerCount()).toBe(0); // no statistics intervals
      upstream.failing = true;
      await failTimes(breaker, 4);
      expect(open).not.toHaveBeenCalled();
      await failTimes(breaker, 1);
      expect(open).toHaveBeenCalledTimes(1);
      const opossum = instanceOf(open);
      expect(opossum.opened).toBe(true);
      expect(breaker.state).toBe("open");
      expect(jest.getTimerCount()).toBe(1);
    });

    it("goes half-open on opossum's reset timer and the 'halfOpen' event it emits", async () => {
      const open = jest.spyOn(Opossum.prototype, "open");
      const emit = jest.spyOn(Opossum.prototype, "emit");
      const { changes } = await openBreaker();
      const opossum = instanceOf(open);
      const halfOpenEvents = () => emit.mock.calls.filter(([event]) => event === "halfOpen");

      jest.advanceTimersByTime(59_999);
      expect(halfOpenEvents()).toEqual([]);
      expect(opossum.opened).toBe(true);
      jest.advanceTimersByTime(1);
      expect(halfOpenEvents()).toEqual([["halfOpen", 60_000]]);
      expect(opossum.halfOpen).toBe(true);
      expect(breaker.state).toBe("half-open");
      expect(changes.at(-1)).toEqual({ breaker: "payment-service", from: "open", to: "half-open" });
      expect(jest.getTimerCount()).toBe(0);
    });

    it("has no reset timer of its own: with opossum's stopped, it stays open", async () => {
      const open = jest.spyOn(Opossum.prototype, "open");
      const { changes } = await openBreaker();
      expect(jest.getTimerCount()).toBe(1);
      clearTimeout(resetTimerOf(instanceOf(open)));
      expect(jest.getTimerCount()).toBe(0);
      jest.advanceTimersByTime(10 * 60_000);
      expect(breaker.state).toBe("open");
      expect(changes.map((change) => change.to)).toEqual(["open"]);
    });

    it("reopens a failed trial through opossum.open(), for a full reset timeout from the failure", async () => {
      const open = jest.spyOn(Opossum.prototype, "open");
      const { upstream, changes } = await openBreaker();
      jest.advanceTimersByTime(60_000);
      await breaker.fire(); // one success of the two needed
      jest.advanceTimersByTime(25_000); // half-open for a while before the trial fails
      upstream.failing = true;
      await failTimes(breaker, 1);

      expect(open).toHaveBeenCalledTimes(2);
      const opossum = instanceOf(open);
      expect(opossum.opened).toBe(true);
      expect(breaker.retryAfterMs).toBe(60_000);
      expect(jest.getTimerCount()).toBe(1);
      jest.advanceTimersByTime(59_999);
      expect(breaker.state).toBe("open");
      jest.advanceTimersByTime(1);
      expect(opossum.halfOpen).toBe(true);
      expect(breaker.state).toBe("half-open");
      expect(changes.map((change) => change.to)).toEqual([
        "open",
        "half-open",
        "open",
        "half-open",
      ]);
    });

    it("closes through opossum.close() after successThreshold trials, leaving no timer", async () => {
      const close = jest.spyOn(Opossum.prototype, "close");
      await openBreaker();
      jest.advanceTimersByTime(60_000);
      await succeedTimes(breaker, 1);
      expect(close).not.toHaveBeenCalled();
      await succeedTimes(breaker, 1);
      expect(close).toHaveBeenCalledTimes(1);
      expect(instanceOf(close).closed).toBe(true);
      expect(breaker.state).toBe("closed");
      expect(jest.getTimerCount()).toBe(0);
    });

    it.each<[BreakerState, number]>([
      ["closed", 0],
      ["open", 0],
      ["half-open", 60_000],
    ])("shuts opossum down and leaves no timer when shut down %s", async (state, afterOpenMs) => {
      const shutdown = jest.spyOn(Opossum.prototype, "shutdown");
      let changes: BreakerStateChange[];
      if (state === "closed") ({ breaker, changes } = breakerFor(scriptedUpstream()));
      else ({ changes } = await openBreaker());
      jest.advanceTimersByTime(afterOpenMs);
      expect(breaker.state).toBe(state);
      const changesBefore = changes.length;

      breaker.shutdown();
      expect(shutdown).toHaveBeenCalledTimes(1);
      expect(instanceOf(shutdown).isShutdown).toBe(true);
      expect(jest.getTimerCount()).toBe(0);
      jest.advanceTimersByTime(120_000);
      expect(breaker.state).toBe(state);
      expect(changes).toHaveLength(changesBefore);
      breaker.shutdown(); // a second shutdown changes nothing
      expect(shutdown).toHaveBeenCalledTimes(1);
    });

    it("lets nothing reopen opossum after shutdown: a call then in flight is a straggler", async () => {
      const open = jest.spyOn(Opossum.prototype, "open");
      const upstream = scriptedUpstream();
      let changes: BreakerStateChange[];
      ({ breaker, changes } = breakerFor(upstream, { failureThreshold: 1 }));
      const inFlight = upstream.startHeldCall(breaker);
      breaker.shutdown();

      await expect(inFlight.answer("down")).resolves.toBeInstanceOf(UpstreamDown);
      expect(open).not.toHaveBeenCalled();
      expect(changes).toEqual([]);
      expect(jest.getTimerCount()).toBe(0);
      await expect(breaker.fire()).rejects.toThrow("circuit breaker payment-service is shut down");
    });

    it("lets a call from before the opening that ends after shutdown change nothing", async () => {
      const open = jest.spyOn(Opossum.prototype, "open");
      const upstream = scriptedUpstream();
      let changes: BreakerStateChange[];
      ({ breaker, changes } = breakerFor(upstream, { failureThreshold: 1 }));
      const straggler = upstream.startHeldCall(breaker);
      upstream.failing = true;
      await failTimes(breaker, 1); // opens
      breaker.shutdown();

      await expect(straggler.answer("down")).resolves.toBeInstanceOf(UpstreamDown);
      expect(open).toHaveBeenCalledTimes(1);
      expect(changes).toEqual([{ breaker: "payment-service", from: "closed", to: "open" }]);
      expect(breaker.state).toBe("open");
    });

    it("configures every opossum option that could decide anything to be inert", async () => {
      const open = jest.spyOn(Opossum.prototype, "open");
      await openBreaker();
      // The options opossum normalised and reads (circuit.js 178-198); @types/opossum omits them.
      const { options } = instanceOf(open) as unknown as { options: Opossum.Options };
      expect(options).toMatchObject({
        name: "payment-service",
        resetTimeout: 60_000,
        timeout: false,
        errorThresholdPercentage: Number.POSITIVE_INFINITY,
        volumeThreshold: Number.MAX_SAFE_INTEGER,
        allowWarmUp: false,
        capacity: Number.MAX_SAFE_INTEGER,
        cache: false,
        coalesce: false,
        rollingPercentilesEnabled: false,
        enableSnapshots: false,
      });
    });

    it("gives opossum an action that refuses, should anything ever call through opossum", async () => {
      const open = jest.spyOn(Opossum.prototype, "open");
      const { upstream } = await openBreaker();
      jest.advanceTimersByTime(60_000); // half-open: opossum itself would let one call through
      const calls = upstream.calls;
      await expect(instanceOf(open).fire()).rejects.toThrow(
        new Error("calls run in CircuitBreaker.fire(), never in opossum's"),
      );
      expect(upstream.calls).toBe(calls);
    });
  });
});
