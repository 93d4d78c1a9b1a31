// The processes the image's entry point (`node dist/cli.js <command>`) can start: the keys of
// the `commands` table in src/cli.ts, read from the source so a renamed command breaks a test.
import { readFileSync } from "node:fs";
import path from "node:path";
import { repoRoot } from "./render";

const cliSource = readFileSync(path.join(repoRoot, "src/cli.ts"), "utf8");

export const cliCommands = [
  ...(/const commands[^{]*\{([^}]*)\}/.exec(cliSource)?.[1] ?? "").matchAll(/"?([\w-]+)"?\s*:/g),
].map((m) => m[1] as string);
