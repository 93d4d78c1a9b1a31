// What each answer to POST /orders means for a well-behaved client (final or retry), and
// which answers break the contract on their own (DESIGN.md "Domain"): an order id is taken
// only from the bodies that carry one by contract (201/202 order, 402 problem); a 5xx that
// names an order is itself a violation ("5xx after storing": the order exists, and a client
// told to retry could create another).
import type { CallOutcome } from "./http-call";
import type { ChaosLog, KeyRecord } from "./chaos-log";

export interface OrderBody {
  readonly customerId: string;
  readonly items: readonly { readonly productId: string; readonly quantity: number }[];
  readonly paymentToken: string;
}

export interface Verdict {
  readonly final: boolean;
  /** What Retry-After asked for, if anything. */
  readonly retryAfterMs?: number;
}

const RETRY = { final: false } as const;
const FINAL = { final: true } as const;

function field(json: unknown, name: string): unknown {
  return typeof json === "object" && json !== null
    ? (json as Record<string, unknown>)[name]
    : undefined;
}

function retryAfterMs(header: string | string[] | undefined): number | undefined {
  const seconds = Number(Array.isArray(header) ? header[0] : header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

/** Checks one answer, records the order id it names (if any) and says whether it is final. */
export function checkAnswer(outcome: CallOutcome, record: KeyRecord, log: ChaosLog): Verdict {
  if (outcome.kind === "failure") return RETRY;
  const { status, json, headers } = outcome;
  const where = `${record.key} (attempt ${record.attempts})`;
  const malformed = (why: string) =>
    log.violation(`malformed ${status} answer`, `${where}: ${why}: ${outcome.text.slice(0, 200)}`);

  if (status >= 500) {
    if (status === 500) log.violation("500 answered", `${where}: ${outcome.text.slice(0, 200)}`);
    const orderId = field(json, "orderId") ?? field(json, "id");
    if (typeof orderId === "string") {
      record.orderIds.add(orderId);
      log.violation("5xx after storing (answer names an order)", `${where}: ${status} ${orderId}`);
    }
    if (status === 503 && headers["retry-after"] === undefined) {
      log.violation("503 without Retry-After", where);
    }
    return { final: false, retryAfterMs: retryAfterMs(headers["retry-after"]) };
  }
  if (status === 409 || status === 429) {
    return { final: false, retryAfterMs: retryAfterMs(headers["retry-after"]) };
  }
  if (status === 201 || status === 202) {
    const id = field(json, "id");
    const expected = status === 201 ? "paid" : "pending";
    if (typeof id !== "string") {
      malformed("no order id");
    } else {
      record.orderIds.add(id);
      if (field(json, "status") !== expected) malformed(`status is not ${expected}`);
      if (headers.location !== `/orders/${id}`) malformed(`Location is ${headers.location}`);
    }
    if (status === 202 && headers["retry-after"] !== undefined) {
      malformed("a 202 must not invite a retry (Retry-After)");
    }
  } else if (status === 402) {
    const orderId = field(json, "orderId");
    if (typeof orderId === "string") record.orderIds.add(orderId);
    else malformed("no orderId in the problem");
  } else if (status === 422) {
    // The harness only orders known products and never reuses a key with another body.
    log.violation("422 for a valid order", `${where}: ${outcome.text.slice(0, 200)}`);
  } else {
    log.violation(`unexpected ${status}`, `${where}: ${outcome.text.slice(0, 200)}`);
  }
  record.final = { status, body: json };
  return FINAL;
}
