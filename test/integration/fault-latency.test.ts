// A fake's added latency belongs to the exchange it slows: when the caller gives up (its own
// timeout, as the service's clients do), nothing of it may outlive the connection - a leftover
// timer would hold the test run (or a fake being stopped) open for the rest of the delay.
import { createHook } from "node:async_hooks";
import { startFakeProductService, type RunningFake } from "../support/fake-upstreams";

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("a fake upstream's injected latency", () => {
  let products: RunningFake;
  beforeAll(async () => {
    products = await startFakeProductService();
  });
  afterAll(() => products.close());

  it("ends when the caller abandons the request", async () => {
    products.faults.update({ latencyMs: 10_000 });
    const pending = new Map<number, string>();
    let recording = true;
    const hook = createHook({
      init(id, type) {
        // Only the fake's own timers: undici keeps a shared timer of its own for the client.
        const stack = new Error().stack ?? "";
        if (recording && type === "Timeout" && stack.includes("fault-injection")) {
          pending.set(id, stack);
        }
      },
      destroy(id) {
        pending.delete(id);
      },
    }).enable();
    try {
      const answer = fetch(`${products.url}/products/sku-mug`, {
        signal: AbortSignal.timeout(100),
      });
      await expect(answer).rejects.toMatchObject({ name: "TimeoutError" });
      recording = false;
      await pause(100);
    } finally {
      hook.disable();
    }
    expect([...pending.values()]).toEqual([]);
  });
});
