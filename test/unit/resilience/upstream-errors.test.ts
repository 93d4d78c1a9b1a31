// Which upstream failures are the upstream's fault (counted by its breaker, retried) and which
// are not, and the Retry-After a client is told when an upstream fails.
import { BreakerOpenError } from "../../../src/resilience/circuit-breaker";
import {
  DEFAULT_RETRY_AFTER_S,
  isTransientStatus,
  isUpstreamFailure,
  requestedRetryDelayMs,
  retryAfterSecondsOf,
  UnusableUpstreamAnswerError,
  UpstreamStatusError,
  UpstreamUnreachableError,
} from "../../../src/resilience/upstream-errors";

describe("upstream errors", () => {
  it("say which upstream failed and how, in their message and name", () => {
    const unreachable = new UpstreamUnreachableError("product-service", "timeout", {
      cause: new Error("socket hang up"),
    });
    expect(unreachable).toMatchObject({
      name: "UpstreamUnreachableError",
      message: "product-service: timeout",
      upstream: "product-service",
      reason: "timeout",
    });
    expect((unreachable.cause as Error).message).toBe("socket hang up");

    expect(new UpstreamStatusError("payment-service", 503, 7)).toMatchObject({
      name: "UpstreamStatusError",
      message: "payment-service answered HTTP 503",
      status: 503,
      retryAfterS: 7,
    });
  });

  it.each([
    ["redirect", "payment-service answered HTTP 302 with a redirect"],
    ["unexpected-body", "payment-service answered HTTP 302 with an unexpected body"],
  ] as const)("describe an unusable answer (%s)", (problem, message) => {
    expect(new UnusableUpstreamAnswerError("payment-service", 302, problem)).toMatchObject({
      name: "UnusableUpstreamAnswerError",
      message,
      status: 302,
      problem,
    });
  });

  it.each([
    [500, true],
    [503, true],
    [599, true],
    [408, true],
    [425, true],
    [429, true],
    [499, false],
    [400, false],
    [404, false],
    [409, false],
    [422, false],
  ])("treat HTTP %i as transient: %s", (status, transient) => {
    expect(isTransientStatus(status)).toBe(transient);
  });

  it.each<[string, unknown, boolean]>([
    ["a timeout", new UpstreamUnreachableError("product-service", "timeout"), true],
    ["a network error", new UpstreamUnreachableError("product-service", "network"), true],
    ["a 503", new UpstreamStatusError("product-service", 503), true],
    ["a 429", new UpstreamStatusError("product-service", 429), true],
    ["the caller giving up", new UpstreamUnreachableError("product-service", "aborted"), false],
    ["a 404", new UpstreamStatusError("product-service", 404), false],
    ["a 400", new UpstreamStatusError("product-service", 400), false],
    ["a redirect", new UnusableUpstreamAnswerError("payment-service", 302, "redirect"), false],
    ["a breaker refusal", new BreakerOpenError("product-service", 1000), false],
    ["an error of ours", new TypeError("x is not a function"), false],
    // Only an upstream's own answer says anything about it, whatever status another error has.
    ["an HTTP error of ours", Object.assign(new Error("busy"), { status: 503 }), false],
  ])("count %s as the upstream's failure: %s", (_what, error, failure) => {
    expect(isUpstreamFailure(error)).toBe(failure);
  });

  describe("the Retry-After told to clients", () => {
    it.each<[string, unknown, number]>([
      ["what the upstream asked for", new UpstreamStatusError("product-service", 503, 7), 7],
      ["what a breaker says", new BreakerOpenError("payment-service", 12_300), 13],
      ["the default when it said nothing", new UpstreamStatusError("x", 503), 5],
      ["the default for a zero", { retryAfterS: 0 }, 5],
      ["the default for a negative number", { retryAfterS: -3 }, 5],
      ["the default for text", { retryAfterS: "7" }, 5],
      ["the default for null", null, 5],
      ["the default for undefined", undefined, 5],
    ])("is %s", (_what, error, seconds) => {
      expect(retryAfterSecondsOf(error)).toBe(seconds);
    });

    it("defaults to 5 s", () => {
      expect(DEFAULT_RETRY_AFTER_S).toBe(5);
    });
  });

  describe("the delay an upstream asked for before a retry", () => {
    it("is its Retry-After in milliseconds", () => {
      expect(requestedRetryDelayMs(new UpstreamStatusError("x", 429, 2))).toBe(2000);
      expect(requestedRetryDelayMs(new UpstreamStatusError("x", 429, 0))).toBe(0);
    });

    it("is undefined when it did not ask, or when the error is not its answer", () => {
      expect(requestedRetryDelayMs(new UpstreamStatusError("x", 503))).toBeUndefined();
      expect(requestedRetryDelayMs(new BreakerOpenError("x", 5000))).toBeUndefined();
      expect(requestedRetryDelayMs({ retryAfterS: 3 })).toBeUndefined();
    });
  });
});
