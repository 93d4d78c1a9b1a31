// POST /orders through the whole path: validation, product lookups (Redis-cached, fake product
// service behind it), a transaction, a charge at the fake payment gateway, the settling update.
import type autocannon from "autocannon";
import { measureInterleaved, type LoadSettings, type LoadSummary } from "../support/load";
import type { RssSampler } from "../support/rss";
import type { RunningServer } from "../support/service";

export const ORDER_CREATE_LOAD: LoadSettings = {
  connections: 20,
  durationS: 3,
  rounds: 4,
  warmupS: 1,
};

/** A new customer for every order, no Idempotency-Key. */
function placeEach(): autocannon.Request[] {
  let next = 0;
  return [
    {
      method: "POST",
      path: "/orders",
      headers: { "content-type": "application/json" },
      setupRequest: (request) => ({
        ...request,
        body: JSON.stringify({
          customerId: `bench-customer-${next++}`,
          items: [
            { productId: "sku-espresso-beans", quantity: 1 },
            { productId: "sku-mug", quantity: 2 },
          ],
          paymentToken: "tok_bench",
        }),
      }),
    },
  ];
}

export async function benchOrderCreate(
  service: RunningServer,
  rss: RssSampler,
): Promise<LoadSummary> {
  const [figures] = await measureInterleaved(
    [
      {
        name: "POST /orders  service",
        url: service.url,
        pid: service.child.pid,
        requests: placeEach(),
        around: rss.around,
      },
    ],
    ORDER_CREATE_LOAD,
  );
  return figures!;
}
