// The project's own fake upstreams, served in-process over real HTTP on ephemeral ports.
import type { Server } from "node:http";
import { SEEDED_PRODUCTS } from "../../src/fakes/catalogue";
import { FaultInjector } from "../../src/fakes/fault-injection";
import { createIdentityProviderApp, JWKS_PATH } from "../../src/fakes/identity-provider-app";
import { SigningKeyRing } from "../../src/fakes/signing-key-ring";
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

export const TEST_ISSUER = "urn:order-service:test-idp";
export const TEST_AUDIENCE = "order-service-tests";

export interface RunningIdentityProvider extends RunningFake {
  readonly jwksUrl: string;
  readonly keys: SigningKeyRing;
  /** `Bearer <token>` for the customer, from the provider's token endpoint (kept per customer). */
  bearer(customerId: string): Promise<string>;
  /** The environment that points a service at this provider. */
  readonly environment: Readonly<Record<string, string>>;
}

/** The dev identity provider (src/fakes/), serving real RS256 tokens over real HTTP. */
export async function startFakeIdentityProvider(): Promise<RunningIdentityProvider> {
  const faults = new FaultInjector();
  const keys = new SigningKeyRing();
  const app = createIdentityProviderApp({
    issuer: TEST_ISSUER,
    audience: TEST_AUDIENCE,
    tokenTtlS: 3600,
    keys,
    faults,
  });
  const running = await serve(app, faults);
  const jwksUrl = running.url + JWKS_PATH;
  const tokens = new Map<string, Promise<string>>();
  const mint = async (customerId: string) => {
    const response = await fetch(`${running.url}/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ customerId }),
    });
    if (!response.ok) throw new Error(`token for ${customerId}: ${response.status}`);
    const { access_token } = (await response.json()) as { access_token: string };
    return `Bearer ${access_token}`;
  };
  return {
    ...running,
    jwksUrl,
    keys,
    bearer(customerId) {
      let token = tokens.get(customerId);
      if (!token) {
        token = mint(customerId);
        tokens.set(customerId, token);
        // A failed mint is not kept: the next call asks the provider again.
        token.catch(() => tokens.delete(customerId));
      }
      return token;
    },
    environment: { AUTH_JWKS_URL: jwksUrl, AUTH_ISSUER: TEST_ISSUER, AUTH_AUDIENCE: TEST_AUDIENCE },
  };
}
