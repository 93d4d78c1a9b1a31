import pino, { type DestinationStream, type Logger } from "pino";
import { activeTraceIds } from "../telemetry/active-trace-ids";
import type { RequestContext } from "./request-context";

export type { Logger } from "pino";

export interface LoggerOptions {
  readonly level: string;
  readonly requestContext?: RequestContext;
  /** Extra places the lines go (the rotated LOG_FILE copy, a test's capture). */
  readonly destinations?: readonly DestinationStream[];
  /** Twelve-factor XI: the event stream goes to stdout; only tests turn this off. */
  readonly stdout?: boolean;
  /** Secret values to scrub wherever they appear, even inside an error message. */
  readonly secretValues?: readonly string[];
}

// Keys whose values are never written, at any depth of any logged object. Matching on the
// serialized line (rather than pino's path-based `redact`) is what makes "any depth" true.
const SENSITIVE_KEYS = [
  "authorization",
  "cookie",
  "set-cookie",
  "paymentToken",
  "token",
  "access_token",
  "PAYMENT_API_KEY",
  "apiKey",
  "password",
];
const REDACTED = "[Redacted]";
// A JWT (JWS compact form) wherever it appears - a header logged by mistake, an error message
// quoting it: every one starts with base64url('{"'), i.e. "eyJ", then three dot-joined parts.
const JWT = /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;

export function createRedactor(secretValues: readonly string[] = []): (line: string) => string {
  const keyPattern = new RegExp(
    `"(${SENSITIVE_KEYS.join("|")})":("(?:[^"\\\\]|\\\\.)*"|-?\\d[\\d.eE+-]*|true|false|null)`,
    "gi",
  );
  const secrets = secretValues.filter((value) => value.length >= 4);
  return (line) => {
    let redacted = line.replace(keyPattern, `"$1":"${REDACTED}"`).replace(JWT, REDACTED);
    for (const secret of secrets) redacted = redacted.split(secret).join(REDACTED);
    return redacted;
  };
}

export function createLogger(options: LoggerOptions): Logger {
  const destinations = [
    // Synchronous: a fatal line written just before process.exit() is never lost.
    ...(options.stdout === false ? [] : [pino.destination({ dest: 1, sync: true })]),
    ...(options.destinations ?? []),
  ];
  const stream: DestinationStream =
    destinations.length === 1
      ? destinations[0]!
      : pino.multistream(
          destinations.map((destination) => ({ stream: destination, level: "trace" })),
        );
  const requestContext = options.requestContext;
  return pino(
    {
      level: options.level,
      base: { pid: process.pid },
      // Stays an epoch-ms number: log shippers (fluent-bit's parser) expect exactly that.
      timestamp: pino.stdTimeFunctions.epochTime,
      formatters: { level: (label) => ({ level: label }) },
      // Every line written while serving a request names the request and its trace.
      mixin: () => {
        const scope = requestContext?.current();
        const traceIds = activeTraceIds();
        if (!scope) return traceIds ?? {};
        return traceIds ? { reqId: scope.requestId, ...traceIds } : { reqId: scope.requestId };
      },
      hooks: { streamWrite: createRedactor(options.secretValues) },
    },
    stream,
  );
}
