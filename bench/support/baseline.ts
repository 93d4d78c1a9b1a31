import { spawnTypeScript, cleanEnvironment } from "./child-processes";
import { waitForStatus } from "./http-wait";
import { freePort } from "./ports";
import type { RunningServer } from "./service";

/** Starts bench/baselines/<file> and waits until its /health/live answers. */
export async function startBaseline(
  name: string,
  file: string,
  env: Record<string, string> = {},
): Promise<RunningServer> {
  const port = await freePort();
  const child = spawnTypeScript(name, `bench/baselines/${file}`, {
    env: cleanEnvironment({ ...env, NODE_ENV: "production", PORT: String(port) }),
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForStatus(`${url}/health/live`, { child });
  return { child, url };
}
