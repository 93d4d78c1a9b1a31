// Every server the bench measures runs in its own child process, so it never shares an event
// loop with the load generator. Children are tracked here and killed on any way out.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { cleanEnvironment } from "../../test/support/clean-environment";

export { cleanEnvironment };

export const PROJECT_ROOT = path.resolve(__dirname, "../..");

const running = new Set<Child>();

// Last line of defence (a crash, process.exit): nothing the bench started outlives it.
process.once("exit", () => {
  for (const child of running) child.process.kill("SIGKILL");
});

export interface Child {
  readonly name: string;
  readonly process: ChildProcess;
  readonly pid: number;
  /** Resolves when the process has ended, with a description of how. */
  readonly exited: Promise<string>;
  /** The last few KB of its stderr, for error messages. */
  stderrTail(): string;
}

export interface SpawnOptions {
  readonly env: NodeJS.ProcessEnv;
  /** 'ignore' sends stdout to /dev/null (the service still formats and writes every line). */
  readonly stdout?: "ignore" | "pipe";
  /** The working directory; the project root by default. */
  readonly cwd?: string;
}

/** Runs `node ...args` (the node running the bench) from the project root, or `options.cwd`. */
export function spawnNode(name: string, args: readonly string[], options: SpawnOptions): Child {
  const child = spawn(process.execPath, args, {
    cwd: options.cwd ?? PROJECT_ROOT,
    env: options.env,
    stdio: ["ignore", options.stdout ?? "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    stderr = (stderr + chunk).slice(-4096);
  });
  const handle: Child = {
    name,
    process: child,
    pid: child.pid ?? -1,
    exited: new Promise((resolve) => {
      child.once("close", (code, signal) => {
        running.delete(handle);
        resolve(`${name} exited (code ${code}, signal ${signal})`);
      });
    }),
    stderrTail: () => stderr,
  };
  running.add(handle);
  return handle;
}

/** Runs a TypeScript file of the bench through tsx's loader. */
export function spawnTypeScript(name: string, file: string, options: SpawnOptions): Child {
  return spawnNode(name, ["--import", "tsx", path.join(PROJECT_ROOT, file)], options);
}

/** SIGTERM, then SIGKILL if it has not ended within `graceMs`. */
export async function stopChild(child: Child, graceMs = 5000): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return;
  child.process.kill("SIGTERM");
  const timer = setTimeout(() => child.process.kill("SIGKILL"), graceMs);
  await child.exited;
  clearTimeout(timer);
}

export async function stopAllChildren(): Promise<void> {
  await Promise.all([...running].map((child) => stopChild(child)));
}
