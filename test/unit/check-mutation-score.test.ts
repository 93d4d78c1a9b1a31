// The per-file mutation score check (scripts/check-mutation-score.ts) that runs after Stryker:
// scores computed as Stryker computes them, and every shortfall named.
import { scoresIn, shortfalls, table } from "../../scripts/check-mutation-score";

const mutants = (counts: Record<string, number>) =>
  Object.entries(counts).flatMap(([status, n]) => Array.from({ length: n }, () => ({ status })));

const report = (files: Record<string, Record<string, number>>) => ({
  schemaVersion: "2",
  files: Object.fromEntries(
    Object.entries(files).map(([name, counts]) => [
      name,
      { language: "typescript", mutants: mutants(counts) },
    ]),
  ),
});

describe("the mutation score check", () => {
  it("scores a file as Stryker does: detected over valid, errors and ignored left out", () => {
    const { files, overall } = scoresIn(
      report({
        "src/b.ts": {
          Killed: 6,
          Timeout: 2,
          Survived: 1,
          NoCoverage: 1,
          Ignored: 4,
          CompileError: 3,
        },
        "src/a.ts": { Killed: 10 },
      }),
    );
    expect(files).toEqual([
      {
        file: "src/a.ts",
        killed: 10,
        survived: 0,
        noCoverage: 0,
        timeout: 0,
        errors: 0,
        ignored: 0,
        score: 100,
      },
      {
        file: "src/b.ts",
        killed: 6,
        survived: 1,
        noCoverage: 1,
        timeout: 2,
        errors: 3,
        ignored: 4,
        score: 80,
      },
    ]);
    expect(overall).toMatchObject({ file: "all files", killed: 16, timeout: 2, score: 90 });
  });

  it("passes files at 80% and an overall score of 90%", () => {
    expect(
      shortfalls(
        scoresIn(report({ "src/a.ts": { Killed: 8, Survived: 2 }, "src/b.ts": { Killed: 10 } })),
      ),
    ).toEqual([]);
  });

  it("names every file below 80% and an overall score below 90%", () => {
    const scores = scoresIn(
      report({
        "src/a.ts": { Killed: 7, Survived: 3 },
        "src/b.ts": { Killed: 79, NoCoverage: 21 },
        "src/c.ts": { Killed: 10 },
      }),
    );
    expect(shortfalls(scores)).toEqual([
      "src/a.ts: 70.00% is below 80%",
      "src/b.ts: 79.00% is below 80%",
      "overall: 80.00% is below 90%",
    ]);
  });

  it("never rounds a score up to a passing one", () => {
    const justBelow = scoresIn(report({ "src/a.ts": { Killed: 79_999, Survived: 20_001 } }));
    expect(shortfalls(justBelow)[0]).toBe("src/a.ts: 79.99% is below 80%");
    const exactly = scoresIn(report({ "src/a.ts": { Killed: 7999, Survived: 2001 } }));
    expect(shortfalls(exactly)[0]).toBe("src/a.ts: 79.99% is below 80%");
  });

  it("does not judge a file with no mutant that counts, but fails a report with none at all", () => {
    const scores = scoresIn(report({ "src/a.ts": { Ignored: 2 } }));
    expect(scores.files[0]!.score).toBeUndefined();
    expect(shortfalls(scores)).toEqual(["overall: n/a is below 90%"]);
  });

  it("prints one row per file and one for all of them", () => {
    const printed = table(scoresIn(report({ "src/a.ts": { Killed: 3, Survived: 1 } })));
    expect(printed.split("\n")).toEqual([
      "file       killed  survived  no cov  timeout  errors   score",
      "---------  ------  --------  ------  -------  ------  ------",
      "src/a.ts        3         1       0        0       0  75.00%",
      "---------  ------  --------  ------  -------  ------  ------",
      "all files       3         1       0        0       0  75.00%",
    ]);
  });

  it("refuses a report of another shape", () => {
    expect(() => scoresIn({ files: { "src/a.ts": {} } })).toThrow(/mutants/);
  });
});
