// Holds every mutated file to its own minimum, after `stryker run` (issue 14): Stryker's
// `thresholds.break` judges the score over all files only, where one well-tested file can
// hide an untested one. Reads the JSON report, prints a table per file and fails (exit 1)
// naming each file below FILE_MINIMUM and an overall score below OVERALL_MINIMUM.
//
//   tsx scripts/check-mutation-score.ts [reports/mutation/mutation.json]
import { existsSync, readFileSync } from "node:fs";
import { z } from "zod";

const FILE_MINIMUM = 80;
const OVERALL_MINIMUM = 90;
const DEFAULT_REPORT = "reports/mutation/mutation.json";

// The part of the mutation-testing-elements report schema (v2) this check reads.
const report = z.object({
  files: z.record(z.string(), z.object({ mutants: z.array(z.object({ status: z.string() })) })),
});

export interface FileScore {
  readonly file: string;
  readonly killed: number;
  readonly survived: number;
  readonly noCoverage: number;
  readonly timeout: number;
  /** Mutants that did not compile or crashed the run: not counted, as Stryker does. */
  readonly errors: number;
  readonly ignored: number;
  /** Percent, as Stryker computes it; undefined when no mutant of the file counts. */
  readonly score: number | undefined;
}

function scoreOf(file: string, statuses: readonly string[]): FileScore {
  const count = (status: string) => statuses.filter((s) => s === status).length;
  const killed = count("Killed");
  const survived = count("Survived");
  const noCoverage = count("NoCoverage");
  const timeout = count("Timeout");
  const detected = killed + timeout;
  const valid = detected + survived + noCoverage;
  return {
    file,
    killed,
    survived,
    noCoverage,
    timeout,
    errors: count("CompileError") + count("RuntimeError"),
    ignored: count("Ignored"),
    score: valid === 0 ? undefined : (100 * detected) / valid,
  };
}

/** One row per file, in path order, and the row of all files together. */
export function scoresIn(json: unknown): { files: FileScore[]; overall: FileScore } {
  const { files } = report.parse(json);
  const all: string[] = [];
  const rows = Object.entries(files)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([file, { mutants }]) => {
      const statuses = mutants.map((mutant) => mutant.status);
      all.push(...statuses);
      return scoreOf(file, statuses);
    });
  return { files: rows, overall: scoreOf("all files", all) };
}

/** What is wrong with the scores, one line per problem; empty when they pass. */
export function shortfalls(scores: { files: FileScore[]; overall: FileScore }): string[] {
  const problems = scores.files
    .filter((row) => row.score !== undefined && row.score < FILE_MINIMUM)
    .map((row) => `${row.file}: ${percent(row.score)} is below ${FILE_MINIMUM}%`);
  const { score } = scores.overall;
  if (score === undefined || score < OVERALL_MINIMUM) {
    problems.push(`overall: ${percent(score)} is below ${OVERALL_MINIMUM}%`);
  }
  return problems;
}

function percent(score: number | undefined): string {
  if (score === undefined) return "n/a";
  // Floored, so that 89.999 never prints as a passing "90.00" (after rounding off the float
  // noise, or 79.99 would print as 79.98).
  return `${(Math.floor(Math.round(score * 1e6) / 1e4) / 100).toFixed(2)}%`;
}

export function table(scores: { files: FileScore[]; overall: FileScore }): string {
  const header = ["file", "killed", "survived", "no cov", "timeout", "errors", "score"];
  const cells = (row: FileScore) => [
    row.file,
    ...[row.killed, row.survived, row.noCoverage, row.timeout, row.errors].map(String),
    percent(row.score),
  ];
  const rows = [header, ...scores.files.map(cells), cells(scores.overall)];
  const widths = header.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  const line = (row: string[]) =>
    row
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[0]!) : cell.padStart(widths[column]!),
      )
      .join("  ");
  const rule = widths.map((width) => "-".repeat(width)).join("  ");
  return [line(header), rule, ...rows.slice(1, -1).map(line), rule, line(rows.at(-1)!)].join("\n");
}

function main(reportPath: string): number {
  if (!existsSync(reportPath)) {
    process.stderr.write(`no mutation report at ${reportPath}: run \`stryker run\` first\n`);
    return 1;
  }
  const scores = scoresIn(JSON.parse(readFileSync(reportPath, "utf8")));
  process.stdout.write(`${table(scores)}\n`);
  const problems = shortfalls(scores);
  if (problems.length === 0) {
    process.stdout.write(
      `\nmutation score: every file at least ${FILE_MINIMUM}%, overall at least ${OVERALL_MINIMUM}%\n`,
    );
    return 0;
  }
  process.stderr.write(
    `\nmutation score too low:\n${problems.map((p) => `  - ${p}`).join("\n")}\n`,
  );
  return 1;
}

if (require.main === module) process.exitCode = main(process.argv[2] ?? DEFAULT_REPORT);
