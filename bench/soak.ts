// `npm run soak -- --minutes N [--connections N]`: builds, then runs the service under a mixed
// read/write load for N minutes, one 60-second autocannon run per minute, and prints a row per
// minute and the slopes that tell a leak or a slowdown from noise. Never part of `npm test`.
// The set-up and clean-up are bench/run.ts's: the run's orders_bench database, the fake
// upstreams and identity provider, bench: Redis keys, all removed on every way out. Metrics are
// on here (to a local UDP sink that keeps the gauges): the heap and event-loop figures are the
// service's own.
import { existsSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import path from "node:path";
import {
  BENCH_DATABASE,
  createBenchDatabase,
  dropBenchDatabase,
  seedOrders,
} from "./support/bench-database";
import { PROJECT_ROOT, stopAllChildren } from "./support/child-processes";
import { deleteBenchKeys } from "./support/redis-keys";
import { startService, startUpstreams, type ServiceSetup } from "./support/service";
import { startGaugeSink, type GaugeSink } from "./support/statsd-sink";
import { writeSoakChart } from "./soak/chart";
import { MINUTE_S, runMinute, type MinuteRow } from "./soak/minute";
import { mixedRequests, READS_PER_WRITE } from "./soak/mixed-load";
import { parseSoakOptions, USAGE, UsageError, type SoakOptions } from "./soak/options";
import { checkEachKindAnswers2xx } from "./soak/preflight";
import { writeResults, type SoakSettings } from "./soak/results";
import { tableHeader, tableRow, trendLines } from "./soak/table";
import { SoakBearers } from "./soak/tokens";
import { soakTrend } from "./soak/trend";

const SEEDED_ORDERS = 300;
const ORDERING_CUSTOMERS = 100;
let gaugeSink: GaugeSink | undefined;

async function soak({ minutes, connections }: SoakOptions): Promise<void> {
  if (!existsSync(path.join(PROJECT_ROOT, "dist/main.js"))) {
    throw new Error("dist/main.js is missing: run `npm run build` (npm run soak does)");
  }
  console.log(
    `node ${process.version}, ${cpus().length} x ${cpus()[0]?.model.trim()}, ` +
      `${(totalmem() / 1024 ** 3).toFixed(1)} GiB RAM, ${new Date().toISOString()}\n` +
      `soak: ${minutes} x ${MINUTE_S} s, ${connections} connections, ` +
      `${READS_PER_WRITE} GET /orders/:id : 1 POST /orders; service LOG_LEVEL=info ` +
      "(stdout to /dev/null), metrics on (UDP sink keeping the gauges)",
  );
  console.log(
    `setup: database ${BENCH_DATABASE} (migrated), seed, fake upstreams and identity ` +
      "provider, tokens, service",
  );
  gaugeSink = await startGaugeSink();
  const databaseUrl = await createBenchDatabase();
  const orders = await seedOrders(databaseUrl, SEEDED_ORDERS);
  const setup: ServiceSetup = {
    databaseUrl,
    upstreams: await startUpstreams(),
    statsdPort: gaugeSink.port,
  };
  const bearers = new SoakBearers(
    setup.upstreams.identity,
    orders.map((order) => order.customerId),
    Array.from({ length: ORDERING_CUSTOMERS }, (_, index) => `bench-soak-customer-${index}`),
  );
  await bearers.renewIfDue();
  const service = await startService(setup);
  let serviceEnded: string | undefined;
  void service.child.exited.then((how) => (serviceEnded = how));
  const requestsNow = () => mixedRequests(orders, bearers.owners, bearers.ordering);
  await checkEachKindAnswers2xx(service.url, requestsNow());

  console.log("");
  console.log(tableHeader());
  const rows: MinuteRow[] = [];
  for (let minute = 1; minute <= minutes; minute++) {
    if (await bearers.renewIfDue()) console.log("  (tokens renewed before they expire)");
    const row = await runMinute(minute, {
      url: service.url,
      pid: service.child.pid,
      connections,
      // Built again each minute: the write list copies the tokens when it is made.
      requests: requestsNow(),
      gauges: gaugeSink,
    });
    if (serviceEnded) {
      throw new Error(`${serviceEnded} during minute ${minute}:\n${service.child.stderrTail()}`);
    }
    rows.push(row);
    console.log(tableRow(row));
  }

  const trend = soakTrend(rows);
  console.log("");
  for (const line of trendLines(trend, minutes)) console.log(line);

  const settings: SoakSettings = {
    minutes,
    connections,
    readsPerWrite: READS_PER_WRITE,
    seededOrders: SEEDED_ORDERS,
    orderingCustomers: ORDERING_CUSTOMERS,
  };
  const json = writeResults(settings, rows, trend);
  const chart = await writeSoakChart(
    rows,
    `soak: ${minutes} min, ${connections} connections, ${READS_PER_WRITE} reads : 1 write ` +
      `(verdict: ${trend.verdict})`,
  );
  console.log(
    `\nwrote ${path.relative(PROJECT_ROOT, json)} and ${path.relative(PROJECT_ROOT, chart)}`,
  );
}

async function cleanUp(): Promise<void> {
  await stopAllChildren();
  await gaugeSink?.close();
  const outcomes = await Promise.allSettled([dropBenchDatabase(), deleteBenchKeys()]);
  for (const outcome of outcomes) {
    if (outcome.status === "rejected") console.error("cleanup:", outcome.reason);
  }
}

function main(): void {
  let options: SoakOptions;
  try {
    const parsed = parseSoakOptions(process.argv.slice(2));
    if (parsed === "help") {
      console.log(USAGE);
      return;
    }
    options = parsed;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    // Refused before anything is started: there is nothing to clean up.
    console.error(`soak: ${error.message}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }

  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      console.error(`\n${signal}: cleaning up`);
      void cleanUp().finally(() => process.exit(130));
    });
  }

  const began = performance.now();
  soak(options)
    .then(
      () => cleanUp(),
      async (error: unknown) => {
        console.error("soak failed:", error);
        process.exitCode = 1;
        await cleanUp();
      },
    )
    .finally(() => console.log(`\nsoak took ${((performance.now() - began) / 1000).toFixed(0)} s`));
}

main();
