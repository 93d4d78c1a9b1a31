// A circuit breaker with the seed's semantics, built on opossum (DESIGN.md "Resilience policy"):
//   closed:    a failure adds one, a success takes one away (never below zero); reaching
//              `failureThreshold` opens it, whatever came before;
//   open:      every call is refused at once, without touching the network, for `resetTimeoutMs`;
//   half-open: one trial call at a time; `successThreshold` successes in a row close it,
//              any failure reopens it for another `resetTimeoutMs`.
// Opossum provides the state machine, the reset timer, the refusal and the events. Two
// things are added on top, because opossum decides differently: it opens on a rolling error
// *percentage* (with its default volumeThreshold of 0, one failure in a quiet second opens it)
// and it closes on the *first* half-open success.
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

export class CircuitBreaker<Args extends unknown[], Result> {
  readonly #opossum: Opossum<Args, Result>;
  readonly #options: CircuitBreakerOptions;
  readonly #now: () => number;
  #state: BreakerState = "closed";
  #failures = 0;
  #trialSuccesses = 0;
  #trialInFlight = false;
  #openedAt = 0;

  constructor(action: (...args: Args) => Promise<Result>, options: CircuitBreakerOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#opossum = new Opossum(action, {
      name: options.name,
      resetTimeout: options.resetTimeoutMs,
      // The caller gives every call its own AbortSignal deadline. Opossum's `timeout` would
      // only stop waiting (the request would go on), and its shared abortController would
      // abort every call in flight at once.
      timeout: false,
      // A percentage is never above 100: opossum's own trip is off, the count below decides.
      errorThresholdPercentage: 100,
      errorFilter: (error: unknown) => !options.isFailure(error),
    });
    // Successes and failures are counted in fire(), not from opossum's events: opossum reports
    // an error its errorFilter excludes (a 4xx, our own deadline) as a "success", and such an
    // answer says nothing about the upstream's health, so it must not close a half-open breaker.
    this.#opossum.on("open", () => this.#enter("open"));
    this.#opossum.on("halfOpen", () => this.#enter("half-open"));
  }

  get name(): string {
    return this.#options.name;
  }

  get state(): BreakerState {
    return this.#state;
  }

  /** Milliseconds until a call may go through again (0 while closed). */
  get retryAfterMs(): number {
    if (this.#state === "closed") return 0;
    if (this.#state === "half-open") return 1000;
    return Math.max(0, this.#openedAt + this.#options.resetTimeoutMs - this.#now());
  }

  async fire(...args: Args): Promise<Result> {
    if (this.#state === "open" || (this.#state === "half-open" && this.#trialInFlight)) {
      throw new BreakerOpenError(this.name, this.retryAfterMs);
    }
    const isTrial = this.#state === "half-open";
    if (isTrial) this.#trialInFlight = true;
    try {
      const result = await this.#opossum.fire(...args);
      this.#recordSuccess();
      return result;
    } catch (error) {
      if ((error as { code?: unknown }).code === "EOPENBREAKER") {
        throw new BreakerOpenError(this.name, this.retryAfterMs);
      }
      if (this.#options.isFailure(error)) this.#recordFailure();
      throw error;
    } finally {
      if (isTrial) this.#trialInFlight = false;
    }
  }

  /** Stops opossum's reset timer (for shutdown and tests). */
  shutdown(): void {
    this.#opossum.shutdown();
  }

  #recordSuccess(): void {
    if (this.#state === "closed") {
      this.#failures = Math.max(0, this.#failures - 1);
      return;
    }
    if (this.#state !== "half-open") return;
    // Opossum closes itself on the first success; this class stays half-open (one call at a
    // time) until enough trials in a row have succeeded.
    this.#trialSuccesses += 1;
    if (this.#trialSuccesses >= this.#options.successThreshold) this.#enter("closed");
  }

  #recordFailure(): void {
    if (this.#state === "half-open") {
      this.#opossum.open();
      return;
    }
    this.#failures += 1;
    if (this.#state === "closed" && this.#failures >= this.#options.failureThreshold) {
      this.#opossum.open();
    }
  }

  #enter(state: BreakerState): void {
    const from = this.#state;
    if (from === state) return;
    this.#state = state;
    this.#failures = 0;
    this.#trialSuccesses = 0;
    if (state === "open") this.#openedAt = this.#now();
    if (state === "closed") this.#opossum.close();
    this.#options.onStateChange?.({ breaker: this.name, from, to: state });
  }
}
