// Real child processes for the e2e tests (after godaddy/terminus' standalone tests): the BUILT
// service and fakes (`npm run build` first), each with an explicit environment, observed
// through their JSON log lines, exit code and signal. Every process started here is killed
// by killLeftovers() (call it in afterEach/afterAll) or, at the latest, when the worker exits.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { cleanEnvironment } from "./clean-environment";

export { cleanEnvironment };

export const PROJECT_ROOT = path.resolve(__dirname, "../..");
const DIST = path.join(PROJECT_ROOT, "dist");

export type LogLine = Readonly<Record<string, unknown>> & { readonly msg?: string };
export type LogPredicate = (line: LogLine) => boolean;

export interface ExitStatus {
  /** The exit code, or null when a signal ended the process. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** When the process ended (performance.now() of this test process). */
  readonly at: number;
}

/** A log line whose `msg` is exactly (or matches) the given text. */
export function logMessage(message: string | RegExp): LogPredicate {
  return (line) =>
    typeof line.msg === "string" &&
    (typeof message === "string" ? line.msg === message : message.test(line.msg));
}

const running = new Set<SpawnedProcess>();

// Last line of defence: a worker that ends (or crashes) takes its children with it.
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** Kills (SIGKILL) every process still running (or those `which` picks) and waits for them. */
export async function killLeftovers(
  which: (child: SpawnedProcess) => boolean = () => true,
): Promise<void> {
  await Promise.all(
    [...running].filter(which).map(async (child) => {
      child.kill("SIGKILL");
      await child.exited;
    }),
  );
}

export class SpawnedProcess {
  readonly child: ChildProcess;
  readonly stdoutLines: string[] = [];
  readonly logLines: LogLine[] = [];
  readonly exited: Promise<ExitStatus>;
  readonly startedAt = performance.now();
  #stderr = "";
  #exitStatus: ExitStatus | undefined;
  readonly #lineListeners = new Set<(line: LogLine) => void>();

  constructor(
    readonly name: string,
    script: string,
    env: NodeJS.ProcessEnv,
    args: readonly string[] = [],
    nodeArgs: readonly string[] = [],
  ) {
    // config.ts merges PROJECT_ROOT/.env into the environment when it exists, which would
    // silently undo the explicit environment these tests depend on.
    if (existsSync(path.join(PROJECT_ROOT, ".env"))) {
      throw new Error(
        `e2e tests need an explicit environment, but ${PROJECT_ROOT}/.env exists and would be ` +
          "merged into it: move it away while the e2e tests run",
      );
    }
    const entry = path.join(DIST, script);
    if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`);
    // The node that runs jest, so the suite tests the service under that same version.
    this.child = spawn(process.execPath, [...nodeArgs, entry, ...args], {
      cwd: PROJECT_ROOT,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    running.add(this);

    createInterface({ input: this.child.stdout! }).on("line", (text) => this.#onLine(text));
    this.child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (this.#stderr += chunk));
    // 'close', not 'exit': by then stdout and stderr have been read to their end.
    this.exited = new Promise((resolve) => {
      this.child.once("close", (code, signal) => {
        running.delete(this);
        this.#exitStatus = { code, signal, at: performance.now() };
        resolve(this.#exitStatus);
      });
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  get stderr(): string {
    return this.#stderr;
  }

  get hasExited(): boolean {
    return this.#exitStatus !== undefined || this.child.exitCode !== null;
  }

  /** Sends a signal; a process that has already ended is left alone. */
  kill(signal: NodeJS.Signals = "SIGTERM"): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }

  /** The first log line (already seen or still to come) that matches, or a rejection. */
  waitForLog(predicate: LogPredicate, timeoutMs = 10_000): Promise<LogLine> {
    const seen = this.logLines.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const finish = (outcome: () => void) => {
        clearTimeout(timer);
        this.#lineListeners.delete(listener);
        outcome();
      };
      const listener = (line: LogLine) => {
        if (predicate(line)) finish(() => resolve(line));
      };
      const timer = setTimeout(
        () => finish(() => reject(this.#failure(`no matching log line within ${timeoutMs} ms`))),
        timeoutMs,
      );
      this.#lineListeners.add(listener);
      void this.exited.then((status) =>
        finish(() =>
          reject(this.#failure(`exited (code ${status.code}, signal ${status.signal}) first`)),
        ),
      );
    });
  }

  #onLine(text: string): void {
    this.stdoutLines.push(text);
    let line: LogLine;
    try {
      line = JSON.parse(text) as LogLine;
    } catch {
      return; // Not a log line; kept in stdoutLines for assertions.
    }
    this.logLines.push(line);
    for (const listener of [...this.#lineListeners]) listener(line);
  }

  /** An error that shows what the process said, so a failing wait explains itself. */
  #failure(problem: string): Error {
    const tail = this.stdoutLines.slice(-15).join("\n");
    return new Error(
      `${this.name} (pid ${this.child.pid}): ${problem}\n--- stdout (last lines)\n${tail}\n` +
        `--- stderr\n${this.#stderr.slice(-2000)}`,
    );
  }
}

/** The order service (dist/main.js) with the port it listens on once it said so. */
export class ServiceProcess extends SpawnedProcess {
  #port: number | undefined;

  constructor(env: Record<string, string>) {
    // Started as `npm start` starts it: the OpenTelemetry preload first.
    super(
      "order-service",
      "main.js",
      cleanEnvironment({ PORT: "0", ...env }),
      [],
      ["--require", path.join(DIST, "telemetry.js")],
    );
  }

  get port(): number {
    if (this.#port === undefined) throw new Error("the service has not said its port yet");
    return this.#port;
  }

  /** Resolves at `listening; starting up` (probes answer; startup may still be 503). */
  async waitUntilListening(timeoutMs = 10_000): Promise<number> {
    const line = await this.waitForLog(logMessage("listening; starting up"), timeoutMs);
    this.#port = Number(line.port);
    return this.#port;
  }

  /** Resolves at `started: serving requests` with that line (it carries startupMs). */
  async waitUntilStarted(timeoutMs = 10_000): Promise<LogLine> {
    await this.waitUntilListening(timeoutMs);
    return this.waitForLog(logMessage("started: serving requests"), timeoutMs);
  }
}

/** Starts the service and waits until it serves requests. */
export async function startService(env: Record<string, string>): Promise<ServiceProcess> {
  const service = new ServiceProcess(env);
  await service.waitUntilStarted();
  return service;
}

/** A running fake upstream (dist/fakes/*) and its run-time fault-injection knobs. */
export class FakeProcess extends SpawnedProcess {
  #url = "";

  get url(): string {
    if (!this.#url) throw new Error(`${this.name} has not said its port yet`);
    return this.#url;
  }

  async waitUntilListening(timeoutMs = 10_000): Promise<string> {
    const line = await this.waitForLog(logMessage(`${this.name} listening`), timeoutMs);
    this.#url = `http://127.0.0.1:${Number(line.port)}`;
    return this.#url;
  }

  /** PUT /_control: e.g. `{ latencyMs: 1500 }`. */
  async setFaults(patch: Record<string, unknown>): Promise<void> {
    const response = await fetch(`${this.url}/_control`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(patch),
    });
    if (!response.ok) throw new Error(`${this.name} refused ${JSON.stringify(patch)}`);
  }

  /** DELETE /_control: no faults, call count back to zero. */
  async resetFaults(): Promise<void> {
    const response = await fetch(`${this.url}/_control`, { method: "DELETE" });
    if (!response.ok) throw new Error(`${this.name} refused to reset its faults`);
  }

  /** Calls that reached the fake so far (faulted or not). */
  async calls(): Promise<number> {
    const response = await fetch(`${this.url}/_control`);
    return ((await response.json()) as { calls: number }).calls;
  }
}

async function startFake(
  name: string,
  script: string,
  env: Record<string, string>,
): Promise<FakeProcess> {
  const fake = new FakeProcess(name, script, cleanEnvironment({ PORT: "0", ...env }));
  await fake.waitUntilListening();
  return fake;
}

/** What the spawned identity provider signs into its tokens (and a service must expect). */
export const FAKE_IDP_ISSUER = "urn:order-service:e2e-idp";
export const FAKE_IDP_AUDIENCE = "order-service-e2e";
/** Where the provider serves its keys (the well-known path of src/fakes/identity-provider-app.ts). */
const JWKS_PATH = "/.well-known/jwks.json";

/**
 * The development identity provider (dist/fakes/identity-provider.js) as a process: real
 * RS256 tokens from its token endpoint, its JWKS, key rotation and the fault knobs of the
 * other fakes (PUT {"down": true} makes the JWKS and the token endpoint fail alike).
 */
export class IdentityProviderProcess extends FakeProcess {
  readonly #tokens = new Map<string, Promise<string>>();

  constructor(
    env: NodeJS.ProcessEnv,
    readonly issuer: string,
    readonly audience: string,
  ) {
    super("fake-identity-provider", "fakes/identity-provider.js", env);
  }

  get jwksUrl(): string {
    return this.url + JWKS_PATH;
  }

  /** AUTH_JWKS_URL, AUTH_ISSUER and AUTH_AUDIENCE that point a service at this provider. */
  get environment(): Record<string, string> {
    return { AUTH_JWKS_URL: this.jwksUrl, AUTH_ISSUER: this.issuer, AUTH_AUDIENCE: this.audience };
  }

  /**
   * `Bearer <token>` for the customer, minted once and then kept (its `sub` is customerId).
   * A token outlives one key rotation: the provider keeps publishing the key before.
   */
  bearer(customerId: string): Promise<string> {
    let token = this.#tokens.get(customerId);
    if (!token) {
      token = this.mintBearer(customerId);
      // A failed mint (the provider faulted) is not kept: the next call asks again.
      token.catch(() => this.#tokens.delete(customerId));
      this.#tokens.set(customerId, token);
    }
    return token;
  }

  /** A new `Bearer <token>` from POST /token, every call (signed with the current key). */
  async mintBearer(customerId: string): Promise<string> {
    const response = await fetch(`${this.url}/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ customerId }),
      signal: AbortSignal.timeout(5000),
    });
    if (!response.ok) {
      throw new Error(`${this.name}: token for ${customerId} refused with ${response.status}`);
    }
    const answer = (await response.json()) as { access_token: string; token_type: string };
    return `${answer.token_type} ${answer.access_token}`;
  }

  /** POST /_control/rotate-key: a new key signs from now on; returns its kid. */
  async rotateKey(): Promise<string> {
    const response = await fetch(`${this.url}/_control/rotate-key`, { method: "POST" });
    if (!response.ok) throw new Error(`${this.name} refused to rotate its key`);
    return ((await response.json()) as { kid: string }).kid;
  }
}

/**
 * Starts the identity provider. NODE_ENV=test (it refuses production); `env` may set
 * FAKE_IDP_TOKEN_TTL_S, FAKE_IDP_ISSUER, FAKE_IDP_AUDIENCE or start-time faults.
 */
export async function startFakeIdentityProvider(
  env: Record<string, string> = {},
): Promise<IdentityProviderProcess> {
  const settings = {
    FAKE_IDP_ISSUER: FAKE_IDP_ISSUER,
    FAKE_IDP_AUDIENCE: FAKE_IDP_AUDIENCE,
    ...env,
  };
  const provider = new IdentityProviderProcess(
    cleanEnvironment({ PORT: "0", NODE_ENV: "test", ...settings }),
    settings.FAKE_IDP_ISSUER,
    settings.FAKE_IDP_AUDIENCE,
  );
  await provider.waitUntilListening();
  return provider;
}

export function startFakeProductService(): Promise<FakeProcess> {
  return startFake("fake-product-service", "fakes/product-service.js", {});
}

export function startFakePaymentService(apiKey: string): Promise<FakeProcess> {
  return startFake("fake-payment-service", "fakes/payment-service.js", {
    FAKE_PAYMENT_API_KEY: apiKey,
  });
}

/** Resolves once `condition` holds, polling; rejects with `what` after the timeout. */
export async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  { timeoutMs = 10_000, intervalMs = 25 } = {},
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
