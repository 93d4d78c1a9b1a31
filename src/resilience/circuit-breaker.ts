// A circuit breaker with the seed's semantics (DESIGN.md "Resilience policy"):
//   closed:    a failure adds one, a success takes one away (never below zero); reaching
//              `failureThreshold` opens it, whatever came before;
//   open:      every call is refused at once, without touching the network, for `resetTimeoutMs`;
//   half-open: one trial call at a time; `successThreshold` successes in a row close it,
//              any failure reopens it for another `resetTimeoutMs`.
// A call counts only in the state period it started in: one started before the breaker
// opened (or before it last changed state, or was shut down) is a straggler, and its answer
// is passed on to its caller but says nothing about this period.
//
// Opossum (9.0.0, lib/circuit.js) holds the state, the reset timer and the events; it is here
// because the template promises it (DESIGN.md "Required packages") and because that part of it
// does exactly what the seed asks. This class decides every other transition and tells it:
//   - open() (422-433) sets OPEN and emits 'open' unless already open; the 'open' listener from
//     _startTimer (348, 315-325) arms an unref'd setTimeout(resetTimeout). Called while
//     half-open it arms a fresh one, so a failed trial reopens for a full reset timeout; called
//     while open it would do nothing, and this class never does (nothing starts while open);
//   - the timer runs _halfOpen (333-346): sets HALF_OPEN and emits 'halfOpen', which this class
//     listens to, to start the half-open period;
//   - close() (397-411) clears the timer, sets CLOSED and emits 'close';
//   - shutdown() (440-460) clears the timers, stops Status and removes every listener.
// Opossum does not say when it armed the timer (LAST_TIMER_AT is set once, in its constructor,
// 316), so retryAfterMs counts from this class's own record of the opening.
//
// No call goes through opossum's fire() (615-617) or call() (643-828): the action runs here,
// with this class's counting. Opossum decides differently from the seed, and all its deciding
// happens inside call() or what only call() reaches, so none of it runs:
//   - the refusal `!closed && !pendingClose`, then `pendingClose = false` (711-724): one call
//     per half-open period rather than one at a time;
//   - its timeout (732-755) and semaphore (731, 801-813);
//   - the 'success' event (771; 944-946 for an error its errorFilter excuses), whose listener
//     (349-353) closes a half-open breaker on the first success, a straggler's included;
//   - fail() (981-998, from handleError 941-959): opens on the rolling error percentage
//     (993-996), with fires counted as a call starts (656, 300) and failures as it ends, so a
//     call that outlives the 10 s window makes the ratio infinite; and on ANY failure while
//     half-open (995), past volumeThreshold (992);
//   - the cache, coalescing and fallback (667-709, 721, 953, 961-979).
// Those paths are configured inert anyway (opossumOptions), and opossum's statistics
// intervals (status.js 78-103) are never started, so a closed breaker has no timer and an open
// one only opossum's reset timer.
import { EventEmitter } from "node:events";
import Opossum from "opossum";

export type BreakerState = "closed" | "open" | "half-open";

export interface BreakerStateChange {
  readonly breaker: string;
  readonly from: BreakerState;
  readonly to: BreakerState;
}

/** Refused without a call: the breaker is open (or its one half-open trial is in flight). */
export class BreakerOpenError extends Error {
  constructor(
    readonly breaker: string,
    /** Until the next half-open trial may run. */
    readonly retryAfterMs: number,
  ) {
    super(`circuit breaker ${breaker} is open`);
    this.name = "BreakerOpenError";
  }

  /** Whole seconds, at least 1, as a Retry-After header wants them. */
  get retryAfterS(): number {
    return Math.max(1, Math.ceil(this.retryAfterMs / 1000));
  }
}

export interface CircuitBreakerOptions {
  readonly name: string;
  readonly failureThreshold: number;
  readonly resetTimeoutMs: number;
  readonly successThreshold: number;
  /** Whether an error is the upstream's failure; the caller's own faults (4xx) never count. */
  readonly isFailure: (error: unknown) => boolean;
  readonly onStateChange?: (change: BreakerStateChange) => void;
  readonly now?: () => number;
}

// Node runs a longer setTimeout after 1 ms, which would half-open the breaker at once.
const LONGEST_TIMER_MS = 2 ** 31 - 1;

// While the trial is in flight nobody knows when it ends (the caller's own deadline bounds
// it); one second is the shortest Retry-After there is.
const TRIAL_IN_FLIGHT_RETRY_AFTER_MS = 1000;

/** Opossum's action, which nothing runs: calls never go through its fire(). */
function notCalledThroughOpossum(): Promise<never> {
  return Promise.reject(new Error("calls run in CircuitBreaker.fire(), never in opossum's"));
}

/**
 * Only `resetTimeout` acts. The rest is read only inside call(), which nothing reaches, and is
 * set so that none of it would decide anything even if something did.
 */
function opossumOptions(name: string, resetTimeoutMs: number): Opossum.Options<[]> {
  return {
    name,
    resetTimeout: resetTimeoutMs,
    timeout: false, // 732: no timer per call, no 'timeout', no abort
    // 993-994: failures / fires is unbounded (Infinity with no fire in the window), and
    // Infinity > Infinity is false; 100 (or any number) would not be inert.
    errorThresholdPercentage: Number.POSITIVE_INFINITY,
    // 238, 992: must be an integer (Infinity would fall back to 0); no window reaches it.
    volumeThreshold: Number.MAX_SAFE_INTEGER,
    allowWarmUp: false, // 241, 277-285: no warm-up timer
    capacity: Number.MAX_SAFE_INTEGER, // 187-189, 731: the semaphore never refuses
    cache: false, // 670; coalesce is off by default (196), and no fallback is set (584)
    // No errorFilter: one that excused an error would emit 'success' (944-946), which closes a
    // half-open breaker (349-353). No abortController: nothing to abort (751).
    rollingPercentilesEnabled: false,
    // status.js 96-103: no snapshot interval.
    enableSnapshots: false,
    // status.js 78-88: with a controller it waits for 'rotate' events instead of starting its
    // bucket interval; this one never emits. Nothing is ever counted: the counters only move
    // on events that call() emits (293-308), so a window that never rotates loses nothing.
    rotateBucketController: new EventEmitter(),
  };
}

export class CircuitBreaker<Args extends unknown[], Result> {
  readonly #action: (...args: Args) => Promise<Result>;
  readonly #options: CircuitBreakerOptions;
  readonly #now: () => number;
  /** The state (closed, open, half-open, shut down), the reset timer and the events. */
  readonly #opossum: Opossum<[], never>;
  /** What `state` says once opossum is shut down (and knows only "shut down"). */
  // Stryker disable next-line StringLiteral: never read before shutdown() assigns it
  #stateAtShutdown: BreakerState = "closed";
  /** Counts state periods: the period a call started in, to tell a straggler from a trial. */
  #period = 0;
  #failures = 0;
  #trialSuccesses = 0;
  // Stryker disable next-line BooleanLiteral: read only while half-open, and entering half-open resets it
  #trialInFlight = false;
  #openedAt = 0;

  constructor(action: (...args: Args) => Promise<Result>, options: CircuitBreakerOptions) {
    const { resetTimeoutMs } = options;
    if (
      !Number.isInteger(resetTimeoutMs) ||
      resetTimeoutMs < 1 ||
      resetTimeoutMs > LONGEST_TIMER_MS
    ) {
      throw new RangeError(
        `circuit breaker ${options.name}: resetTimeoutMs must be a whole number of ms from 1 to ${LONGEST_TIMER_MS}`,
      );
    }
    this.#action = action;
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#opossum = new Opossum(
      notCalledThroughOpossum,
      opossumOptions(options.name, resetTimeoutMs),
    );
    // Opossum's reset timer, armed by open(), is the only way into half-open.
    this.#opossum.on("halfOpen", () => this.#beginPeriod("open", "half-open"));
  }

  get name(): string {
    return this.#options.name;
  }

  get state(): BreakerState {
    const opossum = this.#opossum;
    if (opossum.isShutdown) return this.#stateAtShutdown;
    if (opossum.opened) return "open";
    return opossum.halfOpen ? "half-open" : "closed";
  }

  /** Whether fire() would refuse right now (open, or half-open with its trial in flight). */
  get isRefusingCalls(): boolean {
    if (this.#opossum.isShutdown) return true;
    const state = this.state;
    return state === "open" || (state === "half-open" && this.#trialInFlight);
  }

  /** Milliseconds until a call may go through again (0 when one may go through now). */
  get retryAfterMs(): number {
    if (this.state === "open") {
      return Math.max(0, this.#openedAt + this.#options.resetTimeoutMs - this.#now());
    }
    return this.isRefusingCalls ? TRIAL_IN_FLIGHT_RETRY_AFTER_MS : 0;
  }

  async fire(...args: Args): Promise<Result> {
    if (this.#opossum.isShutdown) throw new Error(`circuit breaker ${this.name} is shut down`);
    if (this.isRefusingCalls) throw new BreakerOpenError(this.name, this.retryAfterMs);
    const period = this.#period;
    if (this.state === "half-open") this.#trialInFlight = true;
    let result: Result;
    try {
      result = await this.#action(...args);
    } catch (error) {
      if (this.#period === period) this.#recordError(error);
      throw error;
    }
    if (this.#period === period) this.#recordSuccess();
    return result;
  }

  /** Stops the reset timer and refuses every later call (for shutdown and tests). */
  shutdown(): void {
    if (this.#opossum.isShutdown) return;
    this.#stateAtShutdown = this.state;
    // Ends the last period: a call still in flight says nothing, so nothing can reopen or
    // close opossum after its shutdown (open() and close() would overwrite SHUTDOWN).
    this.#period += 1;
    this.#opossum.shutdown();
  }

  #recordSuccess(): void {
    if (this.state === "closed") {
      this.#failures = Math.max(0, this.#failures - 1);
      return;
    }
    // Half-open: no call starts while open, so none ends in an open period.
    this.#trialInFlight = false;
    this.#trialSuccesses += 1;
    if (this.#trialSuccesses >= this.#options.successThreshold) this.#close();
  }

  #recordError(error: unknown): void {
    this.#trialInFlight = false;
    // A decline or a 4xx says nothing about the upstream's health: neither way.
    if (!this.#options.isFailure(error)) return;
    if (this.state === "half-open") {
      this.#open();
      return;
    }
    this.#failures += 1;
    if (this.#failures >= this.#options.failureThreshold) this.#open();
  }

  /** From closed or half-open (never while open): opossum arms a full reset timeout. */
  #open(): void {
    const from = this.state;
    this.#openedAt = this.#now();
    this.#opossum.open();
    this.#beginPeriod(from, "open");
  }

  /** From half-open only. */
  #close(): void {
    this.#opossum.close();
    this.#beginPeriod("half-open", "closed");
  }

  #beginPeriod(from: BreakerState, to: BreakerState): void {
    this.#period += 1;
    this.#failures = 0;
    this.#trialSuccesses = 0;
    this.#trialInFlight = false;
    this.#options.onStateChange?.({ breaker: this.name, from, to });
  }
}
