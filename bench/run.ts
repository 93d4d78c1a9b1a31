// `npm run bench`: builds, then measures the service against baselines in ONE run and prints
// the table of docs/benchmarks.md. Never part of `npm test`. Everything it starts (child
// processes, the orders_bench_<pid> database, bench:<pid>: Redis keys) is removed on every way out.
// Knobs: BENCH_STATSD=0 turns metrics off (on by default, to a local UDP sink, as deployed with
// the statsd-exporter sidecar); BENCH_SERVICE_NODE_OPTIONS passes NODE_OPTIONS to the service only.
import { existsSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import path from "node:path";
import { AUTH_ROUNDS, benchAuthCost } from "./scenarios/auth-cost";
import { benchLiveness } from "./scenarios/liveness";
import { benchOrderCreate } from "./scenarios/order-create";
import { benchOrderRead } from "./scenarios/order-read";
import { benchStartup, STARTS } from "./scenarios/startup";
import { benchTracingCost } from "./scenarios/tracing-cost";
import {
  BENCH_DATABASE,
  createBenchDatabase,
  dropBenchDatabase,
  seedOrders,
} from "./support/bench-database";
import { PROJECT_ROOT, stopAllChildren } from "./support/child-processes";
import { bearersFor } from "./support/identity-provider";
import { deployedSamplerEnvironment } from "./support/deployed-sampler";
import { deleteBenchKeys } from "./support/redis-keys";
import { authTable, loadTable, mb, ratio, targetTable, type TargetRow } from "./support/report";
import { readRss, RssSampler, type RssReading } from "./support/rss";
import { startService, startUpstreams, type ServiceSetup } from "./support/service";
import { startStatsdSink, type StatsdSink } from "./support/statsd-sink";
import { benchConnectionScaling } from "./scenarios/connection-scaling";
import { benchPoolSizing, POOL_CONNECTIONS, POOL_SIZES } from "./scenarios/pool-sizing";
import { benchTableGrowth } from "./scenarios/table-growth";
import { benchOptionsOrExit } from "./support/bench-options";
import { writeScalingCharts } from "./support/scaling-charts";
import {
  connectionScalingTable,
  poolSizingTable,
  tableGrowthTable,
} from "./support/scaling-report";

// Before anything starts: an unknown argument is a usage error (exit code 2), not a long run.
const options = benchOptionsOrExit(process.argv.slice(2));

const SEEDED_ORDERS = 300;
let statsdSink: StatsdSink | undefined;

const rssText = (rss: RssReading | undefined) =>
  rss
    ? `${mb(rss.totalBytes).toFixed(0)} MB (anon ${mb(rss.anonBytes).toFixed(0)} + file ${mb(rss.fileBytes).toFixed(0)})`
    : "n/a";

async function bench(): Promise<void> {
  if (!existsSync(path.join(PROJECT_ROOT, "dist/main.js"))) {
    throw new Error("dist/main.js is missing: run `npm run build` (npm run bench does)");
  }
  const nodeOptions = process.env.BENCH_SERVICE_NODE_OPTIONS || undefined;
  if (process.env.BENCH_STATSD !== "0") statsdSink = await startStatsdSink();
  console.log(
    `node ${process.version}, ${cpus().length} x ${cpus()[0]?.model.trim()}, ` +
      `${(totalmem() / 1024 ** 3).toFixed(1)} GiB RAM, ${new Date().toISOString()}\n` +
      `service: LOG_LEVEL=info (stdout to /dev/null), metrics ${statsdSink ? "on (UDP sink)" : "off"}, ` +
      `NODE_OPTIONS=${nodeOptions ?? "(none)"}`,
  );

  console.log(
    `setup: database ${BENCH_DATABASE} (migrated), seed, fake upstreams and identity provider, ` +
      "tokens, service",
  );
  const databaseUrl = await createBenchDatabase();
  const orders = await seedOrders(databaseUrl, SEEDED_ORDERS);
  const setup: ServiceSetup = {
    databaseUrl,
    upstreams: await startUpstreams(),
    statsdPort: statsdSink?.port,
    nodeOptions,
  };
  // One RS256 token per customer owning seeded orders: GET /orders/:id reads each order as its owner.
  const bearers = await bearersFor(
    setup.upstreams.identity,
    orders.map((order) => order.customerId),
  );
  const service = await startService(setup);
  const rss = new RssSampler(service.child.pid);

  console.log(`authentication: TokenVerifier.verify over ${bearers.size} tokens, no HTTP`);
  const auth = await benchAuthCost(
    setup.upstreams.identity,
    [...bearers.values()].map((bearer) => bearer.replace(/^Bearer /, "")),
  );
  const [joseAlone, verifyUncached, verifyAsService, verifyCached] = auth;

  console.log(`startup: ${STARTS} starts of dist/main.js`);
  const startup = await benchStartup(setup);
  console.log("GET /health/live");
  const live = await benchLiveness(service, rss);
  console.log("GET /orders/:id (service with its token cache, and without)");
  const read = await benchOrderRead(service, setup, orders, bearers, rss);
  console.log("POST /orders");
  const create = await benchOrderCreate(service, setup, rss);
  const rssAfter = readRss(service.child.pid);
  console.log("tracing: off, propagation only, on as deployed, on with every request sampled");
  const tracing = await benchTracingCost(service, setup, orders, bearers);

  const info = (figure: string, value: string): TargetRow => ({ figure, value, target: "-" });
  /** A row of issue 15's targets: `value` must be at least (or, with "<=", at most) `bound`. */
  const goal = (
    figure: string,
    value: number,
    bound: number,
    unit: "x" | " ms",
    atMost = false,
  ) => ({
    figure,
    value: `${value.toFixed(unit === "x" ? 2 : 0)}${unit}`,
    target: `${atMost ? "<=" : ">="} ${unit === "x" ? bound.toFixed(2) : bound}${unit}`,
    pass: atMost ? value <= bound : value >= bound,
  });
  const [liveOff, , liveExporting] = tracing.live;
  const [readOff, , readExporting] = tracing.read;
  const [writeOff, , writeExporting] = tracing.write;
  const sampler = deployedSamplerEnvironment();
  const deployed = `as deployed (${sampler.OTEL_TRACES_SAMPLER} ${sampler.OTEL_TRACES_SAMPLER_ARG ?? ""})`;
  const serviceRss = read.rssAfter.service?.totalBytes;
  const minimalRss = read.rssAfter.minimal?.totalBytes;
  const rssRatio = serviceRss && minimalRss ? serviceRss / minimalRss : Number.NaN;
  const targets: TargetRow[] = [
    goal("GET /health/live  service / bare Express", ratio(live.service, live.express), 0.95, "x"),
    goal(
      "GET /orders/:id  service / Express + pg + jose",
      ratio(read.service, read.minimal),
      0.9,
      "x",
    ),
    goal(
      "POST /orders  service / Express + pg + fetch",
      ratio(create.service, create.minimal),
      0.8,
      "x",
    ),
    goal(`GET /health/live  tracing on ${deployed} / off`, ratio(liveExporting, liveOff), 0.9, "x"),
    goal(`GET /orders/:id  tracing on ${deployed} / off`, ratio(readExporting, readOff), 0.9, "x"),
    goal(`POST /orders  tracing on ${deployed} / off`, ratio(writeExporting, writeOff), 0.9, "x"),
    {
      figure: "RSS after the read load: service / Express + pg + jose",
      value: `${rssRatio.toFixed(2)}x (${rssText(read.rssAfter.service)} / ${rssText(read.rssAfter.minimal)})`,
      target: "<= 1.50x",
      pass: rssRatio <= 1.5,
    },
    goal(
      `startup, spawn -> /health/startup 200 (median of ${STARTS})`,
      startup.medianMs,
      200,
      " ms",
      true,
    ),
    info("  of which spawn -> listening (node, modules, config)", `${startup.toListeningMs} ms`),
    info(
      "  of which listening -> started (schema, warm pools)",
      `${startup.listeningToStartedMs} ms`,
    ),
    info(
      "GET /health/live  service / node:http",
      `${ratio(live.service, live.nodeHttp).toFixed(2)}x`,
    ),
    info(
      "GET /orders/:id  service, cache off / Express + pg + jose",
      `${ratio(read.serviceWithoutCache, read.minimal).toFixed(2)}x`,
    ),
    info(
      "GET /orders/:id  service, cache on / cache off",
      `${ratio(read.service, read.serviceWithoutCache).toFixed(2)}x`,
    ),
    info(
      "auth CPU per request in the service (cache off - on)",
      `${(read.serviceWithoutCache.cpuUsPerRequest - read.service.cpuUsPerRequest).toFixed(0)} us`,
    ),
    info(
      "auth CPU per verify, no HTTP: cache off / cache on",
      `${verifyAsService!.cpuUsPerVerify.toFixed(1)} us / ${verifyCached!.cpuUsPerVerify.toFixed(2)} us`,
    ),
    info(
      "  TokenVerifier cache off / bare jose jwtVerify",
      `${(verifyUncached!.cpuUsPerVerify / joseAlone!.cpuUsPerVerify).toFixed(2)}x`,
    ),
    info("service RSS, peak under load", rssText(rss.peak)),
    info("service RSS, after every load", rssText(rssAfter)),
    info("bare Express RSS, peak under the same load", rssText(live.expressRss)),
  ];
  for (const [load, [off, propagation, asDeployed, everyRequest]] of [
    ["GET /health/live", tracing.live],
    ["GET /orders/:id", tracing.read],
    ["POST /orders", tracing.write],
  ] as const) {
    targets.push(
      info(`${load}  propagation only / tracing off`, `${ratio(propagation, off).toFixed(2)}x`),
      info(
        `${load}  tracing on, every request sampled by its caller / off`,
        `${ratio(everyRequest, off).toFixed(2)}x`,
      ),
      info(
        `${load}  CPU per request: off / propagation / as deployed / every request`,
        [off, propagation, asDeployed, everyRequest]
          .map((row) => `${row.cpuUsPerRequest.toFixed(0)}`)
          .join(" / ") + " us",
      ),
    );
  }
  targets.push(
    info(
      "OTLP exports received (requests, MB)",
      `${tracing.exported.requests}, ${mb(tracing.exported.bytes).toFixed(1)} MB`,
    ),
  );
  if (statsdSink) targets.push(info("StatsD datagrams received", String(statsdSink.datagrams())));

  console.log("");
  console.log(authTable(auth, AUTH_ROUNDS));
  console.log("");
  console.log(
    loadTable([
      live.nodeHttp,
      live.express,
      live.service,
      read.minimal,
      read.service,
      read.serviceWithoutCache,
      create.minimal,
      create.service,
      ...tracing.live,
      ...tracing.read,
      ...tracing.write,
    ]),
  );
  console.log("");
  console.log(targetTable(targets));

  // How cost grows with load: after every other scenario, since table growth empties
  // the orders table they read. --quick: shorter steps, fewer sizes, charts named *-quick.
  const scalingBegan = performance.now();
  console.log(
    "\nconnection scaling: GET /orders/:id and POST /orders, " +
      (options.quick ? "short steps (--quick)" : "each step one 10 s metrics report long"),
  );
  const scaling = await benchConnectionScaling(setup, orders, bearers, options.quick);
  console.log(
    `pool sizing: PG_POOL_MAX ${POOL_SIZES.join(", ")} at ${POOL_CONNECTIONS} connections`,
  );
  const pools = await benchPoolSizing(setup, orders, bearers, options.quick);
  console.log("table growth: reads as the orders table grows (the table is emptied first)");
  const growth = await benchTableGrowth(service, setup, options.quick);
  console.log("");
  console.log(connectionScalingTable(scaling));
  console.log("");
  console.log(poolSizingTable(pools));
  console.log("");
  console.log(tableGrowthTable(growth));
  for (const file of await writeScalingCharts(scaling, pools, growth, options.quick)) {
    console.log(`chart: ${path.relative(PROJECT_ROOT, file)}`);
  }
  console.log(`scaling scenarios took ${((performance.now() - scalingBegan) / 1000).toFixed(0)} s`);
}

async function cleanUp(): Promise<void> {
  await stopAllChildren();
  await statsdSink?.close();
  const outcomes = await Promise.allSettled([dropBenchDatabase(), deleteBenchKeys()]);
  for (const outcome of outcomes) {
    if (outcome.status === "rejected") console.error("cleanup:", outcome.reason);
  }
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: cleaning up`);
    void cleanUp().finally(() => process.exit(130));
  });
}

const began = performance.now();
bench()
  .then(
    () => cleanUp(),
    async (error: unknown) => {
      console.error("bench failed:", error);
      process.exitCode = 1;
      await cleanUp();
    },
  )
  .finally(() => console.log(`\nbench took ${((performance.now() - began) / 1000).toFixed(0)} s`));
