// One service replica under a supervisor, as Kubernetes runs a pod: a fixed port (its
// Service address), SIGKILL on demand, and a restart with the same environment after a kill
// or a crash. A crash (an exit nobody asked for) is recorded: that is what the chaos run is
// looking for.
import net from "node:net";
import { ServiceProcess, type LogLine } from "../support/processes";
import { call } from "./http-call";

export interface CrashRecord {
  readonly replica: string;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** The fatal log line's message and error, when the process wrote one. */
  readonly fatal?: string;
  readonly stderr: string;
}

const STARTED_TIMEOUT_MS = 20_000;
const RESTART_AFTER_CRASH_MS = 500;

/** A port nothing listens on right now (the replica keeps it across restarts). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function fatalOf(lines: readonly LogLine[]): string | undefined {
  const fatal = lines.find((line) => line.level === "fatal");
  if (!fatal) return undefined;
  const err = fatal.err as { message?: string; stack?: string } | undefined;
  // The first frames of the stack say which code path let the error through.
  const frames = err?.stack?.split("\n").slice(1, 6).join(" | ") ?? "";
  return `${fatal.msg ?? ""}${err?.message ? `: ${err.message}` : ""}${frames ? ` [${frames}]` : ""}`;
}

export class Replica {
  readonly crashes: CrashRecord[] = [];
  /** Exits that were the harness's fault (its fixed port taken meanwhile), not the service's. */
  readonly harnessProblems: string[] = [];
  kills = 0;
  restarts = 0;
  /** Every process this replica ran, the current one last (their logs stay readable). */
  readonly processes: ServiceProcess[] = [];
  #process: ServiceProcess | undefined;
  #expectedExit = false;
  #stopped = false;
  #restarting: Promise<void> | undefined;

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  get process(): ServiceProcess | undefined {
    return this.#process;
  }

  /** Starts a process and waits (bounded) until it serves requests. */
  async start(): Promise<void> {
    this.#expectedExit = false;
    const child = new ServiceProcess({ ...this.env, PORT: String(this.port) });
    this.#process = child;
    this.processes.push(child);
    void child.exited.then((status) => {
      if (this.#expectedExit || this.#process !== child) return;
      if (child.stderr.includes("EADDRINUSE")) {
        this.harnessProblems.push(`${this.name}: port ${this.port} was taken by another process`);
      } else
        this.crashes.push({
          replica: this.name,
          code: status.code,
          signal: status.signal,
          fatal: fatalOf(child.logLines),
          stderr: child.stderr.slice(-500),
        });
      if (!this.#stopped) void this.#restart(RESTART_AFTER_CRASH_MS);
    });
    // A process that does not start in time is left running; readiness checks will tell.
    await child.waitUntilStarted(STARTED_TIMEOUT_MS).catch(() => undefined);
  }

  /** SIGKILL, then (after `downMs`) a new process with the same environment. */
  async killAndRestart(downMs: number): Promise<void> {
    if (this.#restarting) return this.#restarting;
    const child = this.#process;
    if (child && !child.hasExited) {
      this.#expectedExit = true;
      this.kills += 1;
      child.kill("SIGKILL");
      await child.exited;
    }
    await this.#restart(downMs);
  }

  /** Waits for a restart in progress (after a kill or a crash), if any. */
  async settled(): Promise<void> {
    while (this.#restarting) await this.#restarting;
  }

  async isReady(): Promise<boolean> {
    const answer = await call(this.port, "/health/ready", { timeoutMs: 2000 });
    return answer.kind === "answer" && answer.status === 200;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.settled();
    const child = this.#process;
    if (!child || child.hasExited) return;
    this.#expectedExit = true;
    child.kill("SIGKILL");
    await child.exited;
  }

  #restart(afterMs: number): Promise<void> {
    this.#restarting ??= (async () => {
      try {
        await new Promise((resolve) => setTimeout(resolve, afterMs));
        if (this.#stopped) return;
        this.restarts += 1;
        await this.start();
      } finally {
        this.#restarting = undefined;
      }
    })();
    return this.#restarting;
  }
}
