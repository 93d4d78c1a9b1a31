// A fake's added latency belongs to the exchange it slows: when the caller gives up (its own
// timeout, as the service's clients do), nothing of it may outlive the connection - a leftover
// timer would hold the test run (or a fake being stopped) open for the rest of the delay.
import { startFakeProductService, type RunningFake } from "../support/fake-upstreams";
import { timersLeftBy } from "../support/timer-census";

describe("a fake upstream's injected latency", () => {
  let products: RunningFake;
  beforeAll(async () => {
    products = await startFakeProductService();
  });
  afterAll(() => products.close());

  it("ends when the caller abandons the request", async () => {
    products.faults.update({ latencyMs: 10_000 });
    const left = await timersLeftBy(async () => {
      const answer = fetch(`${products.url}/products/sku-mug`, {
        signal: AbortSignal.timeout(100),
      });
      await expect(answer).rejects.toMatchObject({ name: "TimeoutError" });
    }, "src/fakes/fault-injection");
    expect(left).toEqual([]);
  });
});
