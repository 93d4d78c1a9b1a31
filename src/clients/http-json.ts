// The one HTTP call helper both upstream clients share: a per-call AbortSignal deadline
// (undici's fetch has no default timeout at all), JSON in and out, and failures sorted into
// "the upstream answered" vs "we could not reach it".
import {
  UnusableUpstreamAnswerError,
  UpstreamUnreachableError,
} from "../resilience/upstream-errors";

export interface JsonResponse {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Headers;
}

export interface JsonRequest {
  readonly upstream: string;
  readonly url: string;
  readonly method?: "GET" | "POST";
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
  readonly timeoutMs: number;
  /** The caller's own cancellation (shutdown, an overall deadline); combined with the timeout. */
  readonly signal?: AbortSignal;
}

export async function requestJson(request: JsonRequest): Promise<JsonResponse> {
  const { upstream } = request;
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const signal = request.signal ? AbortSignal.any([timeout, request.signal]) : timeout;
  const unreachable = (error: unknown) =>
    new UpstreamUnreachableError(
      upstream,
      timeout.aborted ? "timeout" : request.signal?.aborted ? "aborted" : "network",
      { cause: error },
    );
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: request.method ?? "GET",
      headers: {
        accept: "application/json",
        ...(request.body === undefined ? {} : { "content-type": "application/json" }),
        ...request.headers,
      },
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      // fetch would follow a 307/308 and send the same body (a payment token) to wherever it
      // points; a redirect is answered as unusable instead.
      redirect: "manual",
      signal,
    });
  } catch (error) {
    throw unreachable(error);
  }
  if (response.status >= 300 && response.status < 400) {
    await response.body?.cancel();
    throw new UnusableUpstreamAnswerError(upstream, response.status, "redirect");
  }
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw unreachable(error);
  }
  return {
    status: response.status,
    body: parseJson(upstream, response, text),
    headers: response.headers,
  };
}

/** A failed answer's body is optional (its status says enough); a successful one must be JSON. */
function parseJson(upstream: string, response: Response, text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    if (!response.ok) return undefined;
    throw new UnusableUpstreamAnswerError(upstream, response.status, "unexpected-body");
  }
}

/** Seconds from a Retry-After header (delta-seconds or HTTP-date), if there is a usable one. */
export function retryAfterSeconds(headers: Headers, now = Date.now()): number | undefined {
  const value = headers.get("retry-after");
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

/** So that `new URL("products/1", base)` keeps any path prefix the base URL has. */
export function withTrailingSlash(url: string): string {
  return url.endsWith("/") ? url : `${url}/`;
}

/**
 * `base` + `segments`, each percent-encoded into exactly one path segment. Undefined when a
 * segment is empty or a dot segment: URL resolution would turn `products/..` into the API's
 * root (and `%2e` counts as a dot too), so no encoding can keep those in place.
 */
export function urlWithSegments(base: string, ...segments: readonly string[]): string | undefined {
  if (segments.some((segment) => segment === "" || segment === "." || segment === "..")) {
    return undefined;
  }
  const path = segments.map(encodeURIComponent).join("/");
  return new URL(path, withTrailingSlash(base)).href;
}
