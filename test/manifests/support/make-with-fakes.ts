// Runs the repo's make targets with test/manifests/support/fake-cluster-tool.sh standing in for
// docker, kind and kubectl (no engine, no cluster), and reads back what the targets did: every
// call in order with its time, and the manifests `kubectl apply` was sent.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseYamlDocuments, repoRoot, type KubeObject } from "./render";

export interface ToolCall {
  readonly at: number;
  readonly tool: "docker" | "kind" | "kubectl";
  readonly phase: "start" | "end" | "call";
  readonly args: string;
}

export interface MakeRun {
  readonly status: number | null;
  /** stdout and stderr, interleaved as they came. */
  readonly output: string;
  readonly calls: ToolCall[];
  /** Every object sent to `kubectl apply`, in order. */
  readonly applied: KubeObject[];
  /** True when the run was still going at the deadline and was killed. */
  readonly timedOut: boolean;
  readonly elapsedMs: number;
}

export interface FakeCluster {
  /** Images the engine holds before the run. */
  readonly localImages?: readonly string[];
  /** Clusters kind already has. */
  readonly clusters?: readonly string[];
  /** How the migration Job ends. */
  readonly jobCondition?: "Complete" | "Failed";
  /** What the Deployment runs, for `kubectl get deployment ... -o jsonpath`. */
  readonly deployedImage?: string;
  /** Seconds each build, cluster creation and image load takes. */
  readonly stepSeconds?: number;
}

const realKubectl = spawnSync("sh", ["-c", "command -v kubectl"], {
  encoding: "utf8",
}).stdout.trim();
const fakeTool = path.join(__dirname, "fake-cluster-tool.sh");

/** `make ARGS...` in the repo with the fakes, killed (the whole process group) at `timeoutMs`. */
export async function makeWithFakes(
  args: readonly string[],
  cluster: FakeCluster = {},
  timeoutMs = 60_000,
): Promise<MakeRun> {
  const dir = mkdtempSync(path.join(tmpdir(), "make-fakes-"));
  try {
    for (const tool of ["docker", "kind", "kubectl"]) symlinkSync(fakeTool, path.join(dir, tool));
    const log = path.join(dir, "calls.log");
    const env = {
      ...process.env,
      FAKE_LOG: log,
      FAKE_STATE: dir,
      FAKE_LOCAL_IMAGES: (cluster.localImages ?? []).join(" "),
      FAKE_KIND_CLUSTERS: (cluster.clusters ?? ["order-service"]).join(" "),
      FAKE_JOB_CONDITION: cluster.jobCondition ?? "Complete",
      FAKE_DEPLOYED_IMAGE: cluster.deployedImage ?? "",
      FAKE_STEP_SECONDS: String(cluster.stepSeconds ?? 0),
      REAL_KUBECTL: realKubectl,
      MAKEFLAGS: "",
    };
    const tools = ["DOCKER", "KIND", "KUBECTL"].map(
      (name) => `${name}=${path.join(dir, name.toLowerCase())}`,
    );
    const started = performance.now();
    const { status, output, timedOut } = await run(
      "make",
      ["--no-print-directory", ...args, ...tools],
      env,
      timeoutMs,
    );
    const calls = readLines(log).map((line): ToolCall => {
      const [at = "", tool = "", phase = "", ...rest] = line.split(" ");
      return {
        at: Number(at),
        tool: tool as ToolCall["tool"],
        phase: phase as ToolCall["phase"],
        args: rest.join(" "),
      };
    });
    const applied = readdirSync(dir)
      .filter((name) => /^applied-\d+\.yaml$/.test(name))
      .sort((a, b) => Number(/\d+/.exec(a)?.[0]) - Number(/\d+/.exec(b)?.[0]))
      .flatMap((name) => parseYamlDocuments(readFileSync(path.join(dir, name), "utf8"), name));
    return { status, output, calls, applied, timedOut, elapsedMs: performance.now() - started };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function readLines(file: string): string[] {
  try {
    return readFileSync(file, "utf8").split("\n").filter(Boolean);
  } catch {
    return [];
  }
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number) {
  return new Promise<{ status: number | null; output: string; timedOut: boolean }>((resolve) => {
    // Its own process group, so a timeout also ends the tools make started (a fake `kubectl
    // wait` sleeps out its --timeout like the real one).
    const child = spawn(command, args, { cwd: repoRoot, env, detached: true });
    let output = "";
    let timedOut = false;
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      process.kill(-child.pid!, "SIGKILL");
    }, timeoutMs);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, output, timedOut });
    });
  });
}

/** The first call of `tool` whose arguments start with `prefix` (and its phase), or a throw. */
export function callOf(
  run: MakeRun,
  tool: ToolCall["tool"],
  prefix: string,
  phase?: ToolCall["phase"],
): ToolCall {
  const found = run.calls.find(
    (c) => c.tool === tool && c.args.startsWith(prefix) && (!phase || c.phase === phase),
  );
  if (!found) {
    throw new Error(
      `no ${tool} ${prefix} call; calls were:\n${run.calls.map((c) => `${c.tool} ${c.phase} ${c.args}`).join("\n")}\n--- output\n${run.output}`,
    );
  }
  return found;
}
