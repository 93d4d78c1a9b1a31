// `npm run dev`: the whole stack without Docker. Uses .env.example's working defaults
// (overridden by .env and the real environment), checks Postgres and Redis with one clear
// line each, creates and migrates the database, then runs the fake upstreams (products,
// payments, the development identity provider) and the service (restarted on change) until
// Ctrl-C.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "dotenv";
import { Redis } from "ioredis";
import { Client } from "pg";
import { readEnvironment } from "./config";
import { createLogger } from "./infra/logger";
import { applyMigrations } from "./infra/migrations";

const root = path.resolve(__dirname, "..");
const tsx = require.resolve("tsx/cli");

/** An error's message without its final full stop, to sit inside a sentence. */
function reasonOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(/\.$/, "");
}

function say(line: string): void {
  process.stderr.write(`[dev] ${line}\n`);
}

// No load balancer to wait for on a laptop: stop at once (still overridable by .env).
const DEVELOPMENT_OVERRIDES = { SHUTDOWN_DELAY_MS: "0" };

function developmentEnvironment(): Record<string, string> {
  const defaults = parse(readFileSync(path.join(root, ".env.example")));
  const actual = Object.entries(readEnvironment(root)).filter(
    (entry): entry is [string, string] => entry[1] !== undefined,
  );
  return { ...defaults, ...DEVELOPMENT_OVERRIDES, ...Object.fromEntries(actual) };
}

async function ensureDatabase(databaseUrl: string): Promise<void> {
  const target = new URL(databaseUrl);
  const name = decodeURIComponent(target.pathname.slice(1));
  const server = new URL(databaseUrl);
  server.pathname = "/postgres";
  const client = new Client({ connectionString: server.href, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${target.host} (DATABASE_URL): ${reasonOf(error)}. ` +
        "Start it, or point DATABASE_URL in .env at one.",
      { cause: error },
    );
  }
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE "${name.replaceAll('"', '""')}"`);
      say(`created database ${name}`);
    }
  } finally {
    await client.end();
  }
}

async function checkRedis(redisUrl: string): Promise<void> {
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    connectTimeout: 2000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on("error", () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (error) {
    throw new Error(
      `Redis is not reachable at ${new URL(redisUrl).host} (REDIS_URL): ${reasonOf(error)}. ` +
        "Start it, or point REDIS_URL in .env at one.",
      { cause: error },
    );
  } finally {
    redis.disconnect();
  }
}

function run(name: string, args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [tsx, ...args], { cwd: root, env, stdio: "inherit" });
  child.on("exit", (code, signal) => say(`${name} exited (${signal ?? code})`));
  return child;
}

/** The shell line that asks the identity provider for a token and keeps it in $TOKEN. */
function tokenCommand(env: Record<string, string>): string {
  const tokenUrl = new URL("/token", env.AUTH_JWKS_URL).href;
  const accessToken = `node -pe 'JSON.parse(require("fs").readFileSync(0, "utf8")).access_token'`;
  return [
    `  TOKEN=$(curl -s -X POST ${tokenUrl} -H 'content-type: application/json' \\`,
    `    -d '{"customerId":"c-42"}' | ${accessToken})`,
    `  curl -s http://127.0.0.1:${env.PORT}/orders -H "Authorization: Bearer $TOKEN"`,
  ].join("\n");
}

async function main(): Promise<void> {
  const env = developmentEnvironment();
  await ensureDatabase(env.DATABASE_URL!);
  await checkRedis(env.REDIS_URL!);
  const applied = await applyMigrations(env.DATABASE_URL!, createLogger({ level: "warn" }));
  say(applied.length ? `applied migrations: ${applied.join(", ")}` : "schema up to date");

  const port = (url: string) => new URL(url).port || "80";
  const children = [
    run("fake product service", ["src/fakes/product-service.ts"], {
      ...env,
      PORT: port(env.PRODUCT_API_URL!),
    }),
    run("fake payment service", ["src/fakes/payment-service.ts"], {
      ...env,
      PORT: port(env.PAYMENT_API_URL!),
      FAKE_PAYMENT_API_KEY: env.PAYMENT_API_KEY!,
    }),
    // Signs for the issuer and audience the service expects; it refuses to run in production.
    run("fake identity provider", ["src/fakes/identity-provider.ts"], {
      ...env,
      PORT: port(env.AUTH_JWKS_URL!),
      NODE_ENV: "development",
      FAKE_IDP_ISSUER: env.AUTH_ISSUER!,
      FAKE_IDP_AUDIENCE: env.AUTH_AUDIENCE!,
    }),
    // Preloaded like `npm start` does; --import, since tsx compiles a --require'd file only on Node 22+.
    run(
      "service",
      ["watch", "--clear-screen=false", "--import", "./src/telemetry.ts", "src/main.ts"],
      env,
    ),
  ];
  say(`service on http://127.0.0.1:${env.PORT}  (Ctrl-C stops everything)`);
  say(`every /orders request needs a token; get one for customer c-42 with:\n${tokenCommand(env)}`);
  // Ctrl-C reaches every process of the terminal's group by itself; forwarding it too would
  // be a second signal, which the service treats as "exit now".
  process.on("SIGINT", () => undefined);
  process.on("SIGTERM", () => {
    for (const child of children) child.kill("SIGTERM");
  });
}

main().catch((error: unknown) => {
  say(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
