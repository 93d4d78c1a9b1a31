// The soak's command line. Strict: a typo must not start a long run with the wrong settings.
import { parseArgs } from "node:util";

export interface SoakOptions {
  readonly minutes: number;
  readonly connections: number;
}

export const USAGE =
  "usage: npm run soak -- [--minutes N] [--connections N]\n" +
  "  --minutes N      minutes of load, one 60-second run each (integer 1..240, default 10)\n" +
  "  --connections N  concurrent connections of the load (integer 1..256, default 16)";

/** A command line the soak refuses; the message says what is wrong and what it accepts. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

const BOUNDS = {
  minutes: { min: 1, max: 240, fallback: 10 },
  connections: { min: 1, max: 256, fallback: 16 },
} as const;

const TAKES = "the soak takes --minutes N and --connections N";

function integerOption(name: keyof typeof BOUNDS, text: string | undefined): number {
  const { min, max, fallback } = BOUNDS[name];
  if (text === undefined) return fallback;
  // Digits only: Number() would also take "", " 5", "1e2" and "0x10".
  const value = /^\d{1,6}$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= min && value <= max)) {
    throw new UsageError(
      `--${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(text)}`,
    );
  }
  return value;
}

/** Parses `args` (process.argv without node and the script); `help` when --help was given. */
export function parseSoakOptions(args: readonly string[]): SoakOptions | "help" {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      tokens: true,
      options: {
        minutes: { type: "string" },
        connections: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new UsageError(describeParseError(error));
  }
  // parseArgs keeps the last of repeated options; a repeat is more likely a mistake.
  const seen = new Set<string>();
  for (const token of parsed.tokens) {
    if (token.kind !== "option") continue;
    if (seen.has(token.name)) throw new UsageError(`--${token.name} is given more than once`);
    seen.add(token.name);
  }
  const { values } = parsed;
  if (values.help) return "help";
  return {
    minutes: integerOption("minutes", values.minutes),
    connections: integerOption("connections", values.connections),
  };
}

/** node:util's messages, in this command's own words (it suggests `--` and quoting). */
function describeParseError(error: unknown): string {
  const { code, message = String(error) } = error as { code?: string; message?: string };
  // parseArgs quotes the offending argument: 'x', '--bogus', '--minutes <value>'.
  const quoted = /'([^']*)'/.exec(message)?.[1] ?? "";
  const option = quoted.split(" ")[0];
  switch (code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION":
      return `unknown option ${quoted}; ${TAKES}`;
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return `unexpected argument ${JSON.stringify(quoted)}; ${TAKES}`;
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      if (message.includes("argument missing")) return `${option} needs a value, e.g. ${option} 5`;
      if (message.includes("ambiguous")) return `${option} needs a value, not another option`;
      return message.split("\n")[0]!;
    default:
      throw error;
  }
}
