// A well-behaved API client, as the Idempotency-Key draft expects one: a fresh key per order,
// and for that order the SAME key and body again after a 409, a 429, a 5xx, a dropped
// connection or its own timeout, with a small capped, jittered backoff, until a final answer
// (201, 202, 402, or any other 4xx). It alternates between the replicas, so a retry usually
// lands on the other one, and a dead replica is failed over at once. Each client is one
// customer, `chaos-customer-<id>`, and sends that customer's bearer token on every call.
import { isDeepStrictEqual } from "node:util";
import { SEEDED_PRODUCTS } from "../../src/fakes/catalogue";
import { DECLINED_TOKEN } from "../../src/fakes/payment-service-app";
import { call, type CallOutcome } from "./http-call";
import { checkAnswer, type OrderBody } from "./answer-rules";
import { outcomeLabel, type ChaosLog, type KeyRecord } from "./chaos-log";
import type { SeededRandom } from "./seeded-random";

const CLIENT_TIMEOUT_MS = 5000;
const BACKOFF_BASE_MS = 50;
const BACKOFF_CAP_MS = 1000;
/** Between one order's final answer and the next order: keeps the load modest. */
const THINK_TIME_MS = 20;
const DECLINE_SHARE = 0.12;
const REPLAY_ATTEMPTS = 5;

export interface Target {
  readonly port: number;
}

/** The customer a client orders as: the `sub` of its token and its orders' customerId. */
export const chaosCustomer = (clientId: number) => `chaos-customer-${clientId}`;

/** The order ids an answer body names (an order's id, a problem's orderId). */
function idsIn(json: unknown): Set<string> {
  const ids = new Set<string>();
  if (typeof json !== "object" || json === null) return ids;
  for (const name of ["id", "orderId"]) {
    const value = (json as Record<string, unknown>)[name];
    if (typeof value === "string") ids.add(value);
  }
  return ids;
}

function withoutRequestId(json: unknown): unknown {
  if (typeof json !== "object" || json === null) return json;
  return Object.fromEntries(Object.entries(json).filter(([name]) => name !== "requestId"));
}

/** Whether a replay is the first answer re-derived from the same order (see `replay`). */
function isResumedAnswer(
  first: { readonly status: number; readonly body: unknown },
  status: number,
  json: unknown,
): boolean {
  if (first.status === 202) return [201, 202, 402].includes(status);
  return (
    status === first.status &&
    isDeepStrictEqual(withoutRequestId(json), withoutRequestId(first.body))
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class ChaosClient {
  readonly #open: KeyRecord[] = [];
  #orders = 0;

  constructor(
    readonly id: number,
    private readonly random: SeededRandom,
    private readonly targets: readonly Target[],
    private readonly log: ChaosLog,
    /** `Bearer <token>` of chaosCustomer(id), minted before the load. */
    private readonly authorization: string,
  ) {}

  get customerId(): string {
    return chaosCustomer(this.id);
  }

  /** Places orders one after another until `deadline`; an order still unanswered stays open. */
  async placeOrdersUntil(deadline: number): Promise<void> {
    while (performance.now() < deadline) {
      const record = this.log.newKey(this.id, `chaos-${this.id}-${this.#orders}`, this.#order());
      this.#orders += 1;
      await this.#drive(record, deadline, "load");
      if (!record.final) this.#open.push(record);
      await sleep(THINK_TIME_MS);
    }
  }

  /** Retries every open order (same key, same body) until final or `deadline`. */
  async finishOpenOrders(deadline: number): Promise<void> {
    for (const record of this.#open.splice(0)) {
      await this.#drive(record, deadline, "settle");
      if (!record.final) this.log.gaveUp.push(record);
    }
  }

  /**
   * Sends a finished order once more: the answer must be the stored one, byte for byte - with
   * one exception the service cannot avoid. When the database fails after the order was
   * stored, its answer is sent but cannot be recorded; a retry then resumes that same order
   * and answers how it stands now: a 202 may have settled (201 or 402), any other answer is
   * the same but for the retry's own requestId. Counted, not a violation. Anything else is.
   */
  async replay(record: KeyRecord): Promise<void> {
    const final = record.final!;
    for (let attempt = 0; attempt < REPLAY_ATTEMPTS; attempt += 1) {
      const outcome = await this.#post(record, attempt);
      this.log.countReplay(outcome);
      if (outcome.kind === "answer" && outcome.status === 500) {
        this.log.violation("500 answered", `${record.key} (replay): ${outcome.text.slice(0, 200)}`);
      }
      if (outcome.kind === "answer" && outcome.status < 500 && outcome.status !== 409) {
        const same = outcome.status === final.status && isDeepStrictEqual(outcome.json, final.body);
        const replayed = [...idsIn(outcome.json)];
        if (replayed.some((id) => !record.orderIds.has(id))) {
          this.log.violation(
            "replay names another order",
            `${record.key}: first ${[...record.orderIds].join(", ")}, replay ${replayed.join(", ")}`,
          );
        } else if (!same && isResumedAnswer(final, outcome.status, outcome.json)) {
          this.log.unrecordedAnswersResumed += 1;
        } else if (!same) {
          this.log.violation(
            "replay differs from the first answer",
            `${record.key}: first ${final.status}, replay ${outcome.status}` +
              (outcome.status === final.status
                ? `; first ${JSON.stringify(final.body)}, replay ${outcome.text}`
                : ""),
          );
        }
        return;
      }
      await sleep(200);
    }
    this.log.violation("replay never answered", record.key);
  }

  async #drive(record: KeyRecord, deadline: number, phase: "load" | "settle"): Promise<void> {
    let failures = 0;
    while (!record.final && performance.now() < deadline) {
      const sentAtMs = Date.now();
      const outcome = await this.#post(record, record.attempts);
      record.attempts += 1;
      record.history.push({ sentAtMs, endedAtMs: Date.now(), outcome: outcomeLabel(outcome) });
      const verdict = checkAnswer(outcome, record, this.log);
      this.log.countAttempt(outcome, phase);
      if (verdict.final) return;
      failures += 1;
      const backoff =
        this.random.next() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** failures);
      await sleep(Math.max(backoff, Math.min(verdict.retryAfterMs ?? 0, BACKOFF_CAP_MS)));
    }
  }

  #post(record: KeyRecord, attempt: number): Promise<CallOutcome> {
    // Alternating: consecutive attempts go to different replicas (failover included).
    const target = this.targets[(this.id + attempt) % this.targets.length]!;
    return call(target.port, "/orders", {
      body: record.body,
      headers: { Authorization: this.authorization, "Idempotency-Key": record.key },
      timeoutMs: CLIENT_TIMEOUT_MS,
    });
  }

  #order(): OrderBody {
    const products = this.random.shuffle(SEEDED_PRODUCTS).slice(0, this.random.int(1, 3));
    return {
      customerId: this.customerId,
      items: products.map((product) => ({
        productId: product.id,
        quantity: this.random.int(1, 3),
      })),
      paymentToken:
        this.random.next() < DECLINE_SHARE
          ? DECLINED_TOKEN
          : `tok_chaos_${this.id}_${this.#orders}`,
    };
  }
}
