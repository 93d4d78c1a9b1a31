// A throw-away copy of this work tree as it is now (committed or not), as its own git
// repository with one commit, for tests of commands that rewrite the repository.
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const repoRoot = path.resolve(__dirname, "../..");

export function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
}

/** Copies the tracked and untracked, not ignored, files; shares node_modules by a link. */
export function copyWorkTree(): string {
  const copy = mkdtempSync(path.join(tmpdir(), "work-tree-copy-"));
  const files = git(repoRoot, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    .split("\0")
    .filter((file) => file !== "");
  for (const file of files) {
    // A file deleted in the work tree but still in the index is not part of it.
    try {
      cpSync(path.join(repoRoot, file), path.join(copy, file), { preserveTimestamps: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
  symlinkSync(path.join(repoRoot, "node_modules"), path.join(copy, "node_modules"), "dir");
  git(copy, "init", "-q");
  git(copy, "config", "user.email", "test@example.invalid");
  git(copy, "config", "user.name", "work tree copy");
  git(copy, "add", "-A");
  git(copy, "commit", "-q", "-m", "copy of the work tree");
  return copy;
}
