// The one HTTP call helper both upstream clients share: a per-call AbortSignal deadline
// (undici's fetch has no default timeout at all), JSON in and out, and failures sorted into
// "the upstream answered" vs "we could not reach it".
import { UpstreamUnreachableError } from "./upstream-errors";

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
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const signal = request.signal ? AbortSignal.any([timeout, request.signal]) : timeout;
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
      signal,
    });
  } catch (error) {
    const reason = timeout.aborted ? "timeout" : request.signal?.aborted ? "aborted" : "network";
    throw new UpstreamUnreachableError(request.upstream, reason, { cause: error });
  }
  try {
    const text = await response.text();
    return {
      status: response.status,
      body: text === "" ? undefined : (JSON.parse(text) as unknown),
      headers: response.headers,
    };
  } catch (error) {
    const reason = timeout.aborted ? "timeout" : "invalid-response";
    throw new UpstreamUnreachableError(request.upstream, reason, { cause: error });
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
