// The jest side of traced-stack-process.ts: starts it, and asks it for spans and log lines.
import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";
import type { ExportedSpan, TracedStackRequest } from "./traced-stack-process";

export type { ExportedSpan } from "./traced-stack-process";

export interface TracedStack {
  readonly url: string;
  readonly products: string;
  readonly payments: string;
  bearer(customerId: string): Promise<{ Authorization: string }>;
  /** The spans finished so far (each exported as it ends). */
  spans(): Promise<readonly ExportedSpan[]>;
  /** Waits until `done(spans)` holds: a server span ends just after its answer is sent. */
  spansWhen(done: (spans: readonly ExportedSpan[]) => boolean): Promise<readonly ExportedSpan[]>;
  logs(): Promise<readonly Record<string, unknown>[]>;
  reset(): Promise<void>;
  close(): Promise<void>;
}

export async function startTracedStack(env: Record<string, string> = {}): Promise<TracedStack> {
  const child: ChildProcess = fork(path.join(__dirname, "traced-stack-process.ts"), [], {
    // tsx compiles the TypeScript on the fly through Node's own loader hooks.
    execArgv: ["--import", "tsx"],
    env: { ...process.env, TRACED_STACK_ENV: JSON.stringify(env) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const next = <T>(type: string) =>
    new Promise<T>((resolve, reject) => {
      const onMessage = (message: { type: string }) => {
        if (message.type !== type) return;
        child.off("message", onMessage);
        child.off("exit", onExit);
        resolve(message as T);
      };
      const onExit = (code: number | null) =>
        reject(new Error(`the traced stack exited (${code}) before answering "${type}"`));
      child.on("message", onMessage);
      child.once("exit", onExit);
    });
  const ask = <T>(request: TracedStackRequest) => {
    const answer = next<T>(request.type);
    child.send(request);
    return answer;
  };

  const ready = await next<{ url: string; products: string; payments: string }>("ready");
  const spans = async () => (await ask<{ spans: ExportedSpan[] }>({ type: "spans" })).spans;
  return {
    ...ready,
    bearer: async (customerId) =>
      (await ask<{ headers: { Authorization: string } }>({ type: "bearer", customerId })).headers,
    spans,
    spansWhen: async (done) => {
      const deadline = performance.now() + 5_000;
      for (;;) {
        const seen = await spans();
        if (done(seen)) return seen;
        if (performance.now() > deadline) {
          throw new Error(`spans not there after 5 s: ${seen.map((s) => s.name).join(", ")}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    logs: async () => (await ask<{ lines: Record<string, unknown>[] }>({ type: "logs" })).lines,
    reset: async () => void (await ask({ type: "reset" })),
    close: async () => {
      await ask({ type: "close" });
      await new Promise((resolve) =>
        child.exitCode === null ? child.once("exit", resolve) : resolve(0),
      );
    },
  };
}
