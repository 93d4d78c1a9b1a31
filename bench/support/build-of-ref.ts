// Another commit of this repository, built beside the working tree, so that bench/compare.ts
// can run both builds in one run: a git worktree (detached at the commit) sharing this
// checkout's node_modules, compiled with the same `tsc -p tsconfig.build.json` as `npm run build`.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PROJECT_ROOT } from "./child-processes";

export interface BuildOfRef {
  /** The commit the ref named when the build was made. */
  readonly commit: string;
  /** The worktree: start the service there (startService's `root`). */
  readonly root: string;
  remove(): void;
}

const git = (args: string[], cwd = PROJECT_ROOT) =>
  execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();

export function buildOfRef(ref: string): BuildOfRef {
  // Fails with git's own message ("unknown revision") before anything is made.
  const commit = git(["rev-parse", "--verify", `${ref}^{commit}`]);
  const root = path.join(mkdtempSync(path.join(tmpdir(), "order-service-compare-")), "tree");
  git(["worktree", "add", "--detach", "--quiet", root, commit]);
  const remove = () => {
    git(["worktree", "remove", "--force", root]);
    rmSync(path.dirname(root), { recursive: true, force: true });
  };
  try {
    // The dependencies of the working tree: a commit with other dependencies is not compared
    // fairly this way, and its build says so by failing.
    symlinkSync(path.join(PROJECT_ROOT, "node_modules"), path.join(root, "node_modules"), "dir");
    execFileSync(
      process.execPath,
      [path.join(PROJECT_ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"],
      { cwd: root, stdio: "inherit" },
    );
  } catch (error) {
    remove();
    throw error;
  }
  return { commit, root, remove };
}
