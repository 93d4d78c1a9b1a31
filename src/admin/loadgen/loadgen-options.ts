// The load generator's arguments, checked all at once: one message names every bad argument
// (like config.ts for the environment), since a Job that fails on its first mistake takes a
// redeploy per typo.
import { parseAdminArguments, UsageError } from "../run-admin-process";

export const LOADGEN_USAGE = `loadgen --url URL --seconds N --rate R [options]
  --url URL            the service's base URL (http or https), e.g. http://order-service:8000
  --seconds N          how long to send, 1..3600
  --rate R             requests per second, more than 0 and at most 1000 (sent on schedule,
                       whether or not earlier ones have been answered)
  --token-url URL      the development identity provider's POST /token; needs --customer
  --customer ID        the customer the tokens are for (its \`sub\`)
  --customers N        spread the load over N customers ID-1..ID-N, 1..100 (default 1), so
                       the per-caller rate limit sees N callers
  --post-percent P     share of requests that place an order, 0..100 (default 20); the rest
                       read one back (or list the caller's orders before the first exists)
  --product ID         the product each order buys (default sku-mug)
  --timeout-ms N       a request without an answer after N ms counts as failed, 100..60000
                       (default 10000)`;

export interface LoadgenOptions {
  readonly url: URL;
  readonly seconds: number;
  readonly rate: number;
  readonly tokenUrl?: URL;
  /** The `sub` of each caller's token, in the order requests use them. */
  readonly customers: readonly string[];
  readonly postPercent: number;
  readonly product: string;
  readonly timeoutMs: number;
}

// The service's identifier rule (DESIGN.md), leaving room for the "-N" suffix.
const IDENTIFIER = /^(?!\.{1,2}$)[A-Za-z0-9._:-]{1,120}$/;

export function parseLoadgenOptions(args: string[]): LoadgenOptions {
  const values = parseAdminArguments(
    LOADGEN_USAGE,
    {
      url: { type: "string" },
      seconds: { type: "string" },
      rate: { type: "string" },
      "token-url": { type: "string" },
      customer: { type: "string" },
      customers: { type: "string" },
      "post-percent": { type: "string" },
      product: { type: "string" },
      "timeout-ms": { type: "string" },
    },
    args,
  );
  const problems: string[] = [];
  const problem = (text: string) => {
    problems.push(text);
    return undefined;
  };

  const httpUrl = (name: string, text: string | undefined, required: boolean) => {
    if (text === undefined) return required ? problem(`--${name} is required`) : undefined;
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return problem(`--${name} must be an http or https URL, got "${text}"`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      return problem(`--${name} must be an http or https URL, got "${text}"`);
    }
    return url;
  };
  const integer = (
    name: string,
    text: string | undefined,
    min: number,
    max: number,
    fallback?: number,
  ) => {
    if (text === undefined) return fallback ?? problem(`--${name} is required`);
    const n = Number(text);
    if (!/^\d+$/.test(text) || n < min || n > max) {
      return problem(`--${name} must be a whole number from ${min} to ${max}, got "${text}"`);
    }
    return n;
  };
  const identifier = (name: string, text: string | undefined) => {
    if (text === undefined || IDENTIFIER.test(text)) return text;
    return problem(
      `--${name} must be 1..120 characters of A-Z a-z 0-9 . _ : - (not . or ..), got "${text}"`,
    );
  };

  const url = httpUrl("url", values.url, true);
  const seconds = integer("seconds", values.seconds, 1, 3600);
  let rate: number | undefined;
  if (values.rate === undefined) problem("--rate is required");
  else if (
    !/^\d+(\.\d+)?$/.test(values.rate) ||
    Number(values.rate) <= 0 ||
    Number(values.rate) > 1000
  ) {
    problem(
      `--rate must be a number of requests per second above 0 and at most 1000, got "${values.rate}"`,
    );
  } else rate = Number(values.rate);
  const tokenUrl = httpUrl("token-url", values["token-url"], false);
  const customer = identifier("customer", values.customer);
  const customerCount = integer("customers", values.customers, 1, 100, 1);
  const postPercent = integer("post-percent", values["post-percent"], 0, 100, 20);
  const product = identifier("product", values.product) ?? "sku-mug";
  const timeoutMs = integer("timeout-ms", values["timeout-ms"], 100, 60_000, 10_000);

  if (values["token-url"] !== undefined && values.customer === undefined) {
    problem("--token-url needs --customer: the identity provider signs a token for a customer");
  }
  if (values.customer !== undefined && values["token-url"] === undefined) {
    problem("--customer needs --token-url: the token for the customer comes from there");
  }
  if (values.customers !== undefined && values.customer === undefined) {
    problem("--customers needs --customer, the prefix of the customers' ids");
  }
  if (seconds !== undefined && rate !== undefined && Math.floor(seconds * rate) < 1) {
    problem(`--seconds ${seconds} at --rate ${rate} sends no request at all`);
  }

  if (problems.length > 0) {
    throw new UsageError(`${problems.join("\n")}\nusage: ${LOADGEN_USAGE}`);
  }
  const count = customerCount ?? 1;
  return {
    url: url!,
    seconds: seconds!,
    rate: rate!,
    tokenUrl,
    customers:
      customer === undefined
        ? []
        : count === 1
          ? [customer]
          : Array.from({ length: count }, (_, i) => `${customer}-${i + 1}`),
    postPercent: postPercent!,
    product,
    timeoutMs: timeoutMs!,
  };
}
