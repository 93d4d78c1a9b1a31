import type { Logger } from "../infra/logger";

type ProcessEvents = Pick<NodeJS.Process, "on">;

/**
 * After an uncaught exception or an unhandled rejection the process state is unknown:
 * log it as fatal (the stdout destination is synchronous, so the line is written) and end
 * non-zero, so the platform restarts a clean process.
 */
export function endProcessOnCrash(
  logger: Logger,
  events: ProcessEvents = process,
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  events.on("uncaughtException", (error) => {
    logger.fatal({ err: error }, "uncaught exception");
    exit(1);
  });
  events.on("unhandledRejection", (reason) => {
    logger.fatal({ err: reason }, "unhandled promise rejection");
    exit(1);
  });
}
