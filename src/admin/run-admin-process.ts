// Shared frame of the one-off admin processes (twelve-factor XII): strict argument parsing,
// config errors reported in one message, exit code 0 on success and 1 on any failure.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { ConfigError } from "../config";
import { flushTraces } from "../telemetry/flush-traces";

export class UsageError extends Error {}

export function parseAdminArguments<T extends ParseArgsConfig["options"]>(
  usage: string,
  options: T,
  args: string[] = process.argv.slice(2),
) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\nusage: ${usage}`);
  }
}

/**
 * Runs an admin task; the process then ends by itself once its connections are closed, after
 * its spans (a reconcile run's charges) are exported when tracing is on.
 */
export function runAdminProcess(name: string, task: () => Promise<void>): void {
  void task()
    .catch((error: unknown) => {
      const message =
        error instanceof ConfigError || error instanceof UsageError
          ? error.message
          : `${name} failed: ${error instanceof Error ? error.message : String(error)}`;
      process.stderr.write(`${message}\n`);
      process.exitCode = 1;
    })
    .then(() => flushTraces())
    .then((outcome) => {
      if (outcome === "timed out") process.stderr.write(`${name}: the last spans are lost\n`);
    });
}
