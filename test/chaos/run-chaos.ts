// `npm run chaos -- --seconds N [--seed S] [--clients C]`: builds, then runs the chaos
// scenario (test/chaos/chaos-scenario.ts) for N seconds of load and prints its figures.
// Exit code: 0 no violations, 1 violations (or an inconclusive run), 2 bad arguments.
import { parseArgs } from "node:util";
import globalSetup from "../support/global-setup";
import globalTeardown from "../support/global-teardown";
import { formatChaosReport } from "./chaos-report";
import { runChaosScenario } from "./chaos-scenario";
import { MAX_SEED, randomSeed } from "./seeded-random";

const USAGE =
  "usage: npm run chaos -- [--seconds N] [--seed S] [--clients C]\n" +
  "  --seconds N  seconds of load under faults, a whole number from 5 to 3600 (default 60)\n" +
  `  --seed S     fault schedule and client seed, a whole number from 0 to ${MAX_SEED} (default: random)\n` +
  "  --clients C  concurrent clients, a whole number from 1 to 32 (default 8)";

class UsageError extends Error {}

function wholeNumber(
  name: string,
  text: string | undefined,
  min: number,
  max: number,
  fallback: number,
) {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got "${text}"`);
  }
  return value;
}

function parseOptions(args: string[]) {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        seconds: { type: "string" },
        seed: { type: "string" },
        clients: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return {
    help: values.help === true,
    loadSeconds: wholeNumber("seconds", values.seconds, 5, 3600, 60),
    seed: wholeNumber("seed", values.seed, 0, MAX_SEED, randomSeed()),
    clients: wholeNumber("clients", values.clients, 1, 32, 8),
  };
}

async function main(): Promise<number> {
  let options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n${USAGE}\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  process.stderr.write(`chaos: seed ${options.seed}\n`);
  await globalSetup();
  try {
    const result = await runChaosScenario({
      ...options,
      progress: (message) => process.stderr.write(`chaos: ${message}\n`),
    });
    process.stdout.write(`${formatChaosReport(result)}\n`);
    if (result.harnessProblems.length > 0) {
      process.stderr.write("chaos: the run is inconclusive (harness problems above)\n");
      return 1;
    }
    return result.violations.total === 0 ? 0 : 1;
  } finally {
    await globalTeardown();
  }
}

// Ctrl-C: exiting runs processes.ts' exit hook, which kills every child this run started.
process.once("SIGINT", () => process.exit(130));

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`chaos failed: ${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
