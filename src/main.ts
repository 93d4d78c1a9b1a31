// Composition root: config -> logger -> backing services -> clients -> app -> server ->
// signals -> startup. Everything opened here is closed here (graceful-shutdown.ts).
import { performance } from "node:perf_hooks";
import { ConfigError, parseConfig, readEnvironment, type Config } from "./config";
import { createHttpServer, listen } from "./http/server";
import { serveProbesUntraced } from "./telemetry/untraced-probes";
import { flushLogFile, openRotatingLogFile } from "./infra/log-file";
import { createLogger } from "./infra/logger";
import { createStatsdMetrics, noMetrics } from "./infra/metrics";
import { RequestContext } from "./infra/request-context";
import { endProcessOnCrash } from "./lifecycle/crash-handlers";
import { createShutdownHandler, type Closeable } from "./lifecycle/graceful-shutdown";
import { waitUntilStarted } from "./lifecycle/startup";
import { createService } from "./service";
import { logTelemetryDiagnostics } from "./telemetry/diagnostics-to-logger";
import { traceFlush } from "./telemetry/flush-traces";

async function main(config: Config): Promise<void> {
  const resources: Closeable[] = [];
  const requestContext = new RequestContext();
  const logFile = config.log.file ? await openRotatingLogFile(config.log.file) : undefined;
  const logger = createLogger({
    level: config.log.level,
    requestContext,
    destinations: logFile ? [logFile] : [],
    secretValues: [config.paymentApi.apiKey],
  });
  endProcessOnCrash(logger);
  logTelemetryDiagnostics(logger);
  // First opened, last closed: the spans of everything else's shutdown are still exported.
  resources.push(traceFlush(logger));
  const metrics = config.statsd ? createStatsdMetrics(config.statsd, logger) : noMetrics;
  resources.push({ name: "metrics", close: () => metrics.close() });

  const service = createService(config, logger, requestContext, metrics);
  const { app, lifecycle, pool, redis } = service;
  resources.push(...service.resources);
  const server = createHttpServer(app);
  serveProbesUntraced(server);

  const startup = new AbortController();
  const shutDown = createShutdownHandler({
    server,
    lifecycle,
    logger,
    delayMs: config.shutdown.delayMs,
    timeoutMs: config.shutdown.timeoutMs,
    resources,
    // The log file stays open to the very end (the last lines are about the shutdown itself);
    // flushed here, it is closed with the process.
    flushLogs: async () => {
      logger.flush();
      if (logFile) await flushLogFile(logFile);
    },
    exit: (code) => process.exit(code),
    setExitCode: (code) => (process.exitCode = code),
  });
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.on(signal, () => {
      startup.abort();
      void shutDown(signal);
    });
  }

  const port = await listen(server, config.port);
  logger.info({ port }, "listening; starting up");
  await waitUntilStarted({
    pool,
    redis,
    logger,
    warmConnections: Math.min(2, config.database.poolMax),
    signal: startup.signal,
  });
  if (startup.signal.aborted) return;
  lifecycle.markServing();
  service.runtimeMetrics.start();
  logger.info({ port, startupMs: Math.round(performance.now()) }, "started: serving requests");
}

function loadConfig(): Config | undefined {
  try {
    return parseConfig(readEnvironment());
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 1;
    return undefined;
  }
}

const config = loadConfig();
if (config) {
  main(config).catch((error: unknown) => {
    process.stderr.write(`order-service failed to start: ${String(error)}\n`);
    process.exit(1);
  });
}
