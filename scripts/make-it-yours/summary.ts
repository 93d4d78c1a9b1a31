// What the user reads at the end: every file changed and why, the settings left to fill in,
// the names left for a person, and the two commands to run next.
import type { FileChange } from "./plan";
import type { Report } from "./run";

const describeChange = (change: FileChange) => {
  const notes = change.notes.length > 0 ? change.notes.join("; ") : "formatted";
  if (change.removed) return { label: `${change.path} (deleted)`, notes };
  return { label: change.path, notes };
};

function fileLines(changes: readonly FileChange[]): string[] {
  const rows = changes.map(describeChange);
  const width = Math.min(60, Math.max(...rows.map((row) => row.label.length)));
  return rows.map((row) => `  ${row.label.padEnd(width)}  ${row.notes}`);
}

export function nextCommands(report: Report): string[] {
  return ["npm test", `git add -A && git commit -m "Make it ${report.to} (npm run make-it-yours)"`];
}

export function summarise(report: Report): string {
  const lines: string[] = [`make-it-yours: ${report.from} -> ${report.to}`, ""];
  if (report.changes.length === 0) {
    const fakes = report.withoutFakes ? ", without fakes in compose and the overlays" : "";
    lines.push(`Nothing to change: this repository is already ${report.to}${fakes}.`, "");
  } else {
    lines.push(`Changed ${report.changes.length} files:`, ...fileLines(report.changes), "");
  }
  if (report.required.length > 0) {
    lines.push("Required settings to fill in (the fakes are gone; docs/make-it-yours.md):");
    for (const { file, settings, until } of report.required) {
      lines.push(`  ${file}: ${settings.join(", ")}`, `    ${until}`);
    }
    lines.push("");
  }
  const { prose, others } = report.unsure;
  if (prose.length > 0 || others.length > 0) {
    lines.push("Not renamed: check these yourself (the command could not be sure):");
    if (prose.length > 0) {
      const words = report.from.replaceAll("-", " ");
      lines.push(`  "${words}" as words, which may mean the domain as much as the name:`);
      lines.push(...prose.map((place) => `    ${place}`));
    }
    lines.push(...others.map((item) => `  ${item}`), "");
  }
  lines.push("Next:", ...nextCommands(report).map((command) => `  ${command}`));
  return `${lines.join("\n")}\n`;
}
