// Which request the load sends n-th: orders placed (each with its own Idempotency-Key) and read
// back, spread over the customers round-robin. Deterministic, so a run of N requests places
// exactly floor(N x post-percent / 100) orders, evenly spaced.
import type { LoadgenOptions } from "./loadgen-options";

export interface PlannedRequest {
  readonly method: "GET" | "POST";
  readonly path: string;
  readonly customerIndex: number;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

export class OrderTraffic {
  /** Orders this run created, per customer: what the reads ask for. */
  readonly #created: string[][];

  constructor(
    private readonly options: Pick<LoadgenOptions, "customers" | "postPercent" | "product">,
    private readonly runId: string,
  ) {
    this.#created = Array.from({ length: Math.max(1, options.customers.length) }, () => []);
  }

  request(n: number): PlannedRequest {
    const { postPercent } = this.options;
    const postsBefore = Math.floor((n * postPercent) / 100);
    const isPost = Math.floor(((n + 1) * postPercent) / 100) > postsBefore;
    // Orders and reads each go round the customers, so every customer gets its share of both.
    const customerIndex = (isPost ? postsBefore : n - postsBefore) % this.#created.length;
    if (isPost) {
      return {
        method: "POST",
        path: "/orders",
        customerIndex,
        headers: {
          "content-type": "application/json",
          "idempotency-key": `loadgen-${this.runId}-${n}`,
        },
        body: JSON.stringify({
          items: [{ productId: this.options.product, quantity: 1 }],
          paymentToken: "tok_loadgen",
        }),
      };
    }
    const mine = this.#created[customerIndex] ?? [];
    const id = mine[n % Math.max(1, mine.length)];
    return {
      method: "GET",
      path: id === undefined ? "/orders?limit=10" : `/orders/${encodeURIComponent(id)}`,
      customerIndex,
      headers: {},
    };
  }

  /** Remembers an order the service created (its answer to a POST). */
  created(customerIndex: number, orderId: string): void {
    this.#created[customerIndex]?.push(orderId);
  }
}
