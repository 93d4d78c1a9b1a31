// Bearer tokens from the development identity provider (src/fakes/identity-provider-app.ts,
// POST /token), one per customer, fetched before the load starts so no request waits on one.
// They live FAKE_IDP_TOKEN_TTL_S (1 h by default), longer than a load run may last.

export async function fetchBearerTokens(tokenUrl: URL, customers: readonly string[]) {
  return Promise.all(
    customers.map(async (customerId) => {
      let response: Response;
      try {
        response = await fetch(tokenUrl, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ customerId }),
          signal: AbortSignal.timeout(10_000),
        });
      } catch (error) {
        // fetch says "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, ...) is its cause.
        const { message, cause } = error as Error & { cause?: { code?: string } };
        throw new Error(
          `no token for ${customerId} from ${tokenUrl.href}: ${cause?.code ?? message}`,
          { cause: error },
        );
      }
      const answer = (await response.json().catch(() => ({}))) as {
        access_token?: unknown;
        token_type?: unknown;
      };
      if (!response.ok || typeof answer.access_token !== "string") {
        throw new Error(
          `no token for ${customerId} from ${tokenUrl.href}: HTTP ${response.status}`,
        );
      }
      return `Bearer ${answer.access_token}`;
    }),
  );
}
