// The project's own fake upstreams, served in-process over real HTTP on ephemeral ports.
import type { Server } from "node:http";
import { SEEDED_PRODUCTS } from "../../src/fakes/catalogue";
import { FaultInjector } from "../../src/fakes/fault-injection";
import { createPaymentServiceApp } from "../../src/fakes/payment-service-app";
import { createProductServiceApp } from "../../src/fakes/product-service-app";
import { createHttpServer, listen } from "../../src/http/server";

export const TEST_PAYMENT_API_KEY = "test-payment-key-0123456789";

export interface RunningFake {
  readonly url: string;
  readonly faults: FaultInjector;
  close(): Promise<void>;
}

async function serve(app: Parameters<typeof createHttpServer>[0], faults: FaultInjector) {
  const server: Server = createHttpServer(app);
  const port = await listen(server, 0);
  return {
    url: `http://127.0.0.1:${port}`,
    faults,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export async function startFakeProductService(): Promise<RunningFake> {
  const faults = new FaultInjector();
  return serve(createProductServiceApp(SEEDED_PRODUCTS, faults), faults);
}

export async function startFakePaymentService(): Promise<RunningFake> {
  const faults = new FaultInjector();
  return serve(createPaymentServiceApp(TEST_PAYMENT_API_KEY, faults), faults);
}
