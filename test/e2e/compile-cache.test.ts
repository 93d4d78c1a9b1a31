// The preload turns on V8's compile cache (src/infra/compile-cache.ts): the second start of a
// process reads the code the first one compiled instead of compiling every module again.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const root = path.resolve(__dirname, "../..");
const hasCompileCache = Number(process.versions.node.split(".")[0]) >= 22;

function filesUnder(directory: string): string[] {
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => entry.name);
}

describe("the preload's compile cache", () => {
  // Its default place (no NODE_COMPILE_CACHE, which would turn the cache on by itself).
  let temp: string;

  beforeEach(() => {
    temp = mkdtempSync(path.join(tmpdir(), "compile-cache-"));
  });
  afterEach(() => rmSync(temp, { recursive: true, force: true }));

  it(`${hasCompileCache ? "fills" : "leaves empty (Node 20 has none)"} node-compile-cache in the temp directory with the modules a start loads`, () => {
    const start = spawnSync(
      process.execPath,
      ["--require", "./dist/telemetry.js", "-e", "require('./dist/config.js'); require('express')"],
      {
        cwd: root,
        encoding: "utf8",
        env: { PATH: process.env.PATH, TMPDIR: temp },
      },
    );
    expect(start.stderr).toBe("");
    expect(start.status).toBe(0);
    const cached = filesUnder(temp);
    if (hasCompileCache) expect(cached.length).toBeGreaterThan(20);
    else expect(cached).toEqual([]);
  });
});
