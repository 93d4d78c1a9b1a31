// `npm run bench:compare -- --ref <commit>`: what a change bought. Builds <commit> beside the
// working tree (bench/support/build-of-ref.ts) and runs the same loads against both builds, A B
// A B in one run, printing each load's medians and the ratio working tree / <commit>. Both
// services get the same environment, so --env compares them in another setting too (e.g.
// --tracing turns tracing on in both, exporting to a local OTLP sink).
import { parseArgs } from "node:util";
import type autocannon from "autocannon";
import { ORDER_CREATE_LOAD, ORDERING_CUSTOMERS, placeEach } from "./scenarios/order-create";
import { ORDER_READ_LOAD, readEach } from "./scenarios/order-read";
import { LIVENESS_LOAD } from "./scenarios/liveness";
import { withTraceparent } from "./scenarios/tracing-cost";
import { deployedSamplerEnvironment } from "./support/deployed-sampler";
import { createBenchDatabase, dropBenchDatabase, seedOrders } from "./support/bench-database";
import { buildOfRef, type BuildOfRef } from "./support/build-of-ref";
import { stopAllChildren } from "./support/child-processes";
import { bearersFor } from "./support/identity-provider";
import { measureInterleaved, type LoadSettings } from "./support/load";
import { startOtlpSink, type OtlpSink } from "./support/otlp-sink";
import { deleteBenchKeys } from "./support/redis-keys";
import { loadTable, ratio, table } from "./support/report";
import { startService, startUpstreams, type ServiceSetup } from "./support/service";
import { startStatsdSink, type StatsdSink } from "./support/statsd-sink";

const USAGE =
  "usage: npm run bench:compare -- --ref <commit> [--loads live,read,write] [--rounds N]\n" +
  "                                [--tracing [--sampled-callers]] [--env NAME=VALUE ...]\n" +
  "  --ref      the build to compare the working tree with (a commit, branch or tag)\n" +
  "  --loads    which loads to run, comma-separated (all three by default)\n" +
  "  --rounds   measured rounds per load and build (4 by default; medians are printed)\n" +
  "  --tracing  both services export to a local OTLP sink, sampling as the tracing component\n" +
  "             deploys them (k8s/components/tracing)\n" +
  "  --sampled-callers  every request carries a sampled traceparent: all are exported\n" +
  "  --env      a setting both services get, e.g. --env PG_POOL_MAX=5";

const LOADS = ["live", "read", "write"] as const;
type Load = (typeof LOADS)[number];

interface CompareOptions {
  readonly ref: string;
  readonly loads: readonly Load[];
  readonly rounds: number;
  readonly tracing: boolean;
  readonly sampledCallers: boolean;
  readonly env: Record<string, string>;
}

function parseOptions(args: readonly string[]): CompareOptions {
  const { values } = parseArgs({
    args: [...args],
    options: {
      ref: { type: "string" },
      loads: { type: "string", default: LOADS.join(",") },
      rounds: { type: "string", default: "4" },
      tracing: { type: "boolean", default: false },
      "sampled-callers": { type: "boolean", default: false },
      env: { type: "string", multiple: true, default: [] },
    },
    strict: true,
    allowPositionals: false,
  });
  if (!values.ref) throw new Error("--ref is required");
  const loads = values.loads.split(",").map((load) => {
    if (!(LOADS as readonly string[]).includes(load)) {
      throw new Error(`--loads: "${load}" is none of ${LOADS.join(", ")}`);
    }
    return load as Load;
  });
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 50) {
    throw new Error(`--rounds must be a whole number from 1 to 50, not "${values.rounds}"`);
  }
  const env: Record<string, string> = {};
  for (const setting of values.env) {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/s.exec(setting);
    if (!match) throw new Error(`--env must be NAME=VALUE, not "${setting}"`);
    env[match[1]!] = match[2]!;
  }
  if (values["sampled-callers"] && !values.tracing) {
    throw new Error("--sampled-callers needs --tracing");
  }
  return {
    ref: values.ref,
    loads,
    rounds,
    tracing: values.tracing,
    sampledCallers: values["sampled-callers"],
    env,
  };
}

let build: BuildOfRef | undefined;
let sink: OtlpSink | undefined;
let statsd: StatsdSink | undefined;

async function compare(options: CompareOptions): Promise<void> {
  console.log(`building ${options.ref} beside the working tree`);
  build = buildOfRef(options.ref);
  const databaseUrl = await createBenchDatabase();
  const orders = await seedOrders(databaseUrl, 300);
  // Metrics on, as in npm run bench and as deployed.
  statsd = await startStatsdSink();
  const setup: ServiceSetup = {
    databaseUrl,
    upstreams: await startUpstreams(),
    statsdPort: statsd.port,
  };
  if (options.tracing) sink = await startOtlpSink();
  const env = {
    ...options.env,
    ...(sink
      ? {
          OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
          OTEL_SERVICE_NAME: "bench-compare",
          ...deployedSamplerEnvironment(),
        }
      : {}),
  };
  const refName = `${options.ref} (${build.commit.slice(0, 10)})`;
  const before = await startService(setup, refName, env, build.root);
  const after = await startService(setup, "working tree", env);
  console.log(
    `node ${process.version}; ${refName} vs the working tree` +
      (Object.keys(env).length ? `; both with ${JSON.stringify(env)}` : ""),
  );

  const readBearers = await bearersFor(
    setup.upstreams.identity,
    orders.map((order) => order.customerId),
  );
  const writeBearers = await bearersFor(
    setup.upstreams.identity,
    Array.from({ length: ORDERING_CUSTOMERS }, (_, index) => `compare-customer-${index}`),
  );
  // --sampled-callers: every request comes from a sampled caller, so all are exported.
  const tp = withTraceparent(options.sampledCallers);
  const loads: Record<Load, [string, () => autocannon.Request[], LoadSettings]> = {
    live: ["GET /health/live", () => [{ method: "GET", path: "/health/live" }], LIVENESS_LOAD],
    read: ["GET /orders/:id", () => readEach(orders, readBearers, tp), ORDER_READ_LOAD],
    write: ["POST /orders", () => placeEach(writeBearers, tp), ORDER_CREATE_LOAD],
  };
  const rows: string[][] = [];
  const summaries = [];
  for (const load of options.loads) {
    const [label, requests, settings] = loads[load];
    console.log(label);
    const [ref, working] = await measureInterleaved(
      [
        {
          name: `${label}  ${refName}`,
          url: before.url,
          pid: before.child.pid,
          requests: requests(),
        },
        {
          name: `${label}  working tree`,
          url: after.url,
          pid: after.child.pid,
          requests: requests(),
        },
      ],
      { ...settings, rounds: options.rounds },
    );
    summaries.push(ref!, working!);
    rows.push([
      label,
      `${ratio(working!, ref!).toFixed(2)}x`,
      `${ref!.cpuUsPerRequest.toFixed(0)} -> ${working!.cpuUsPerRequest.toFixed(0)} us`,
      `${ref!.p99Ms} -> ${working!.p99Ms} ms`,
    ]);
  }
  console.log("");
  console.log(loadTable(summaries));
  console.log("");
  console.log(table(["load", "req/s working / ref", "CPU per request", "p99"], rows));
}

async function cleanUp(): Promise<void> {
  await stopAllChildren();
  await sink?.close();
  await statsd?.close();
  build?.remove();
  const outcomes = await Promise.allSettled([dropBenchDatabase(), deleteBenchKeys()]);
  for (const outcome of outcomes) {
    if (outcome.status === "rejected") console.error("cleanup:", outcome.reason);
  }
}

let options: CompareOptions;
try {
  options = parseOptions(process.argv.slice(2));
} catch (error) {
  console.error(
    `bench:compare: ${error instanceof Error ? error.message.split(". ")[0] : String(error)}`,
  );
  console.error(USAGE);
  process.exit(2);
}
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => void cleanUp().finally(() => process.exit(130)));
}
compare(options).then(
  () => cleanUp(),
  async (error: unknown) => {
    console.error("bench:compare failed:", error);
    process.exitCode = 1;
    await cleanUp();
  },
);
