// A retry budget (after Finagle's and gRPC's): over a sliding window, retries may add at
// most `percent`% to the requests this process makes, plus a small reserve so that a quiet
// process can still retry. During an outage every first attempt fails; without a budget each
// would turn into RETRY_MAX_ATTEMPTS calls, multiplying the load on the struggling upstream.

export interface RetryBudgetOptions {
  readonly percent: number;
  readonly windowMs?: number;
  /** Retries always allowed per window, whatever the traffic. */
  readonly reservePerWindow?: number;
  readonly now?: () => number;
}

const BUCKETS = 10;

export class RetryBudget {
  readonly #ratio: number;
  readonly #bucketMs: number;
  readonly #reserve: number;
  readonly #now: () => number;
  readonly #requests = new Array<number>(BUCKETS).fill(0);
  readonly #retries = new Array<number>(BUCKETS).fill(0);
  #bucketStart = 0;
  #current = 0;

  constructor(options: RetryBudgetOptions) {
    this.#ratio = options.percent / 100;
    this.#bucketMs = (options.windowMs ?? 10_000) / BUCKETS;
    this.#reserve = options.reservePerWindow ?? 10;
    this.#now = options.now ?? Date.now;
    this.#bucketStart = this.#now();
  }

  /** A first attempt was made. */
  recordRequest(): void {
    this.#advance();
    this.#requests[this.#current]! += 1;
  }

  /** Takes one retry from the budget; false when the budget is spent. */
  tryAcquireRetry(): boolean {
    this.#advance();
    const requests = sum(this.#requests);
    const retries = sum(this.#retries);
    if (retries >= this.#reserve + Math.floor(requests * this.#ratio)) return false;
    this.#retries[this.#current]! += 1;
    return true;
  }

  #advance(): void {
    const elapsedBuckets = Math.floor((this.#now() - this.#bucketStart) / this.#bucketMs);
    if (elapsedBuckets <= 0) return;
    for (let i = 1; i <= Math.min(elapsedBuckets, BUCKETS); i += 1) {
      const index = (this.#current + i) % BUCKETS;
      this.#requests[index] = 0;
      this.#retries[index] = 0;
    }
    this.#current = (this.#current + elapsedBuckets) % BUCKETS;
    this.#bucketStart += elapsedBuckets * this.#bucketMs;
  }
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
