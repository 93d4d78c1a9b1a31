// The development identity provider of the bench (dist/fakes/identity-provider.js in its own
// process; NODE_ENV=test, since it refuses production) and the tokens of the simulated
// customers, minted once before any load: real 2048-bit RS256 tokens, as a real IdP signs them.
import { spawnNode, cleanEnvironment, type Child } from "./child-processes";
import { waitForStatus } from "./http-wait";
import { freePort } from "./ports";

export const BENCH_ISSUER = "urn:order-service:bench-idp";
export const BENCH_AUDIENCE = "order-service-bench";
// Longer than any bench run: no token may expire (and turn into 401s) under load.
const TOKEN_TTL_S = 3600;
const JWKS_PATH = "/.well-known/jwks.json";

export interface IdentityProvider {
  readonly child: Child;
  readonly url: string;
  readonly jwksUrl: string;
  readonly issuer: string;
  readonly audience: string;
}

export async function startIdentityProvider(): Promise<IdentityProvider> {
  const port = await freePort();
  const child = spawnNode("fake identity provider", ["dist/fakes/identity-provider.js"], {
    env: cleanEnvironment({
      NODE_ENV: "test",
      PORT: String(port),
      LOG_LEVEL: "warn",
      FAKE_IDP_ISSUER: BENCH_ISSUER,
      FAKE_IDP_AUDIENCE: BENCH_AUDIENCE,
      FAKE_IDP_TOKEN_TTL_S: String(TOKEN_TTL_S),
    }),
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForStatus(url + JWKS_PATH, { child });
  return { child, url, jwksUrl: url + JWKS_PATH, issuer: BENCH_ISSUER, audience: BENCH_AUDIENCE };
}

/** What points a service (or a baseline) at the provider. */
export function authEnvironment(provider: IdentityProvider): Record<string, string> {
  return {
    AUTH_JWKS_URL: provider.jwksUrl,
    AUTH_ISSUER: provider.issuer,
    AUTH_AUDIENCE: provider.audience,
  };
}

/** A token (without "Bearer ") for the customer, from the provider's token endpoint. */
export async function mintToken(provider: IdentityProvider, customerId: string): Promise<string> {
  const response = await fetch(`${provider.url}/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ customerId }),
    signal: AbortSignal.timeout(5000),
  });
  if (!response.ok) throw new Error(`token for ${customerId}: ${response.status}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

/** `Authorization` header values by customer id, one token per customer. */
export async function bearersFor(
  provider: IdentityProvider,
  customerIds: Iterable<string>,
): Promise<Map<string, string>> {
  const ids = [...new Set(customerIds)];
  const tokens = await Promise.all(ids.map((id) => mintToken(provider, id)));
  return new Map(ids.map((id, index) => [id, `Bearer ${tokens[index]!}`]));
}
