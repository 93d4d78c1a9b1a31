// POST /orders through the whole path: authentication (a bearer token per simulated customer),
// validation, product lookups (Redis-cached, fake product service behind it), a transaction, a
// charge at the fake payment gateway, the settling update.
import type autocannon from "autocannon";
import { bearersFor } from "../support/identity-provider";
import { measureInterleaved, type LoadSettings, type LoadSummary } from "../support/load";
import type { RssSampler } from "../support/rss";
import type { RunningServer, ServiceSetup } from "../support/service";

export const ORDER_CREATE_LOAD: LoadSettings = {
  connections: 20,
  durationS: 3,
  rounds: 4,
  warmupS: 1,
};

/** Simulated customers, each with its own token (minted before the load). */
export const ORDERING_CUSTOMERS = 200;

/** Two cached products, a charge the fake gateway accepts. */
function orderBody(customerId: string): string {
  return JSON.stringify({
    customerId,
    items: [
      { productId: "sku-espresso-beans", quantity: 1 },
      { productId: "sku-mug", quantity: 2 },
    ],
    paymentToken: "tok_bench",
  });
}

/**
 * The customers in turn, each order with its customer's token; no Idempotency-Key.
 * `extraHeaders` adds headers per request (a caller's traceparent).
 */
export function placeEach(
  bearers: ReadonlyMap<string, string>,
  extraHeaders: () => Record<string, string> = () => ({}),
): autocannon.Request[] {
  const customers = [...bearers];
  let next = 0;
  return [
    {
      method: "POST",
      path: "/orders",
      setupRequest: (request) => {
        const [customerId, authorization] = customers[next++ % customers.length]!;
        return {
          ...request,
          headers: { "content-type": "application/json", authorization, ...extraHeaders() },
          body: orderBody(customerId),
        };
      },
    },
  ];
}

export async function benchOrderCreate(
  service: RunningServer,
  setup: ServiceSetup,
  rss: RssSampler,
): Promise<LoadSummary> {
  const bearers = await bearersFor(
    setup.upstreams.identity,
    Array.from({ length: ORDERING_CUSTOMERS }, (_, index) => `bench-customer-${index}`),
  );
  const [figures] = await measureInterleaved(
    [
      {
        name: "POST /orders  service",
        url: service.url,
        pid: service.child.pid,
        requests: placeEach(bearers),
        around: rss.around,
      },
    ],
    ORDER_CREATE_LOAD,
  );
  return figures!;
}
