// The files the command may rewrite, and whether the git work tree holds work not yet
// committed (a rename mixed into it could not be reviewed or undone on its own).
import { execFileSync } from "node:child_process";
import { lstatSync, readdirSync } from "node:fs";
import path from "node:path";

function git(root: string, args: readonly string[]): string | undefined {
  try {
    return execFileSync("git", args, {
      cwd: root,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch {
    return undefined;
  }
}

/** `git status` lines of every uncommitted change; undefined when `root` is no git work tree. */
export function uncommittedChanges(root: string): string[] | undefined {
  const status = git(root, ["status", "--porcelain=v1", "--untracked-files=normal"]);
  return status?.split("\n").filter((line) => line.length > 0);
}

// Outside git: what is never the project's own text (installed, built, or git's).
const NOT_PROJECT_FILES = new Set(["node_modules", "dist", "coverage", ".git"]);

function walk(root: string, directory: string): string[] {
  return readdirSync(path.join(root, directory), { withFileTypes: true }).flatMap((entry) => {
    const relative = directory === "" ? entry.name : `${directory}/${entry.name}`;
    if (entry.isDirectory()) return NOT_PROJECT_FILES.has(entry.name) ? [] : walk(root, relative);
    return entry.isFile() ? [relative] : [];
  });
}

const isRegularFile = (root: string, file: string) => {
  try {
    return lstatSync(path.join(root, file)).isFile(); // a symlink is not the project's text
  } catch {
    return false; // deleted in the work tree, still in the index
  }
};

/**
 * Every file of the project, as POSIX paths relative to `root`: in git, the tracked and the
 * untracked ones that are not ignored (so a local `.env` or a build output is never touched).
 */
export function projectFiles(root: string): string[] {
  const listed = git(root, ["ls-files", "-z", "--cached", "--others", "--exclude-standard"]);
  if (listed === undefined) return walk(root, "").sort();
  const files = new Set(listed.split("\0").filter((file) => file.length > 0));
  return [...files].filter((file) => isRegularFile(root, file)).sort();
}
