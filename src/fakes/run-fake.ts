import type { Express } from "express";
import { ConfigError, readEnvironment } from "../config";
import { createHttpServer, listen } from "../http/server";
import { createLogger } from "../infra/logger";
import { FaultInjector } from "./fault-injection";
import { parseFakeConfig, type FakeConfig } from "./fake-config";

/** Entry-point frame shared by the fakes: env -> app -> listen -> stop on SIGTERM/SIGINT. */
export function runFake(
  name: string,
  defaultPort: number,
  buildApp: (config: FakeConfig, faults: FaultInjector) => Express,
  refusal?: (config: FakeConfig) => string | undefined,
): void {
  let config: FakeConfig;
  try {
    config = parseFakeConfig(readEnvironment(), defaultPort);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${name}: ${error.message}\n`);
    process.exitCode = 1;
    return;
  }
  const refused = refusal?.(config);
  if (refused) {
    process.stderr.write(`${name}: ${refused}\n`);
    process.exitCode = 1;
    return;
  }
  const logger = createLogger({ level: config.logLevel }).child({ service: name });
  const faults = new FaultInjector(config.faults);
  const server = createHttpServer(buildApp(config, faults));
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      server.close();
      server.closeAllConnections();
    });
  }
  listen(server, config.port).then(
    (port) => logger.info({ port, faults: faults.settings }, `${name} listening`),
    (error: unknown) => {
      logger.fatal({ err: error }, `${name} could not listen`);
      process.exitCode = 1;
    },
  );
}
