// Before the first minute, one request of each kind the load sends, exactly as it sends it: a
// soak of fast 401s or 400s would look perfectly flat and mean nothing.
import type autocannon from "autocannon";

export async function checkEachKindAnswers2xx(
  url: string,
  requests: readonly autocannon.Request[],
): Promise<void> {
  const kinds = new Map(requests.map((request) => [request.method ?? "GET", request]));
  for (const [method, entry] of kinds) {
    const { setupRequest, ...raw } = entry;
    const built = setupRequest ? setupRequest({ ...raw }, {}) : raw;
    const response = await fetch(`${url}${built.path ?? "/"}`, {
      method,
      headers: built.headers,
      body: built.body === undefined ? undefined : String(built.body),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    if (!response.ok) {
      throw new Error(
        `${method} ${built.path} answered ${response.status} before any load: ${text.slice(0, 300)}`,
      );
    }
  }
}
