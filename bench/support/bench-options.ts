// The bench's command line. Strict: a mistyped flag must stop the run before it spends minutes
// measuring the wrong thing, so anything unknown is an error (exit code 2, as usage errors are).
import { parseArgs } from "node:util";

export interface BenchOptions {
  /** Shorter steps, fewer sizes in the scaling scenarios: a smoke run, not figures to quote. */
  readonly quick: boolean;
}

export const BENCH_USAGE =
  "usage: npm run bench [-- --quick]\n" +
  "  --quick  connection scaling, pool sizing and table growth with short steps and fewer\n" +
  "           sizes (about 1.5 instead of 5 minutes; the other scenarios run as always)";

/** Parses `args` (process.argv.slice(2)); throws parseArgs' TypeError on anything unknown. */
export function parseBenchOptions(args: readonly string[]): BenchOptions & { help: boolean } {
  const { values } = parseArgs({
    args: [...args],
    options: { quick: { type: "boolean", default: false }, help: { type: "boolean" } },
    strict: true,
    allowPositionals: false,
  });
  return { quick: values.quick, help: values.help ?? false };
}

/** The options, or the reason and the usage on stderr and exit code 2 (0 for --help). */
export function benchOptionsOrExit(args: readonly string[]): BenchOptions {
  let options: ReturnType<typeof parseBenchOptions>;
  try {
    options = parseBenchOptions(args);
  } catch (error) {
    // parseArgs names the argument in its first sentence; its hint about positionals after
    // "--" does not apply to a command that takes none.
    const reason = error instanceof Error ? error.message.split(". ")[0] : String(error);
    console.error(`bench: ${reason}`);
    console.error(BENCH_USAGE);
    process.exit(2);
  }
  if (options.help) {
    console.log(BENCH_USAGE);
    process.exit(0);
  }
  return { quick: options.quick };
}
