// Supply chain: the dependency audit's allowlist logic (scripts/npm-audit.sh, run against a
// stand-in npm that answers like the registry would), and the CI workflow's pins.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parse } from "yaml";
import { repoRoot } from "./support/render";

const advisory = (id: string, severity: string) => ({
  source: 1,
  name: "vulnerable-lib",
  title: `a ${severity} problem`,
  url: `https://github.com/advisories/${id}`,
  severity,
  range: "<2.0.0",
});
const reportWith = (...via: object[]) => ({
  auditReportVersion: 2,
  vulnerabilities: { "vulnerable-lib": { name: "vulnerable-lib", severity: "high", via } },
  metadata: { vulnerabilities: { total: via.length } },
});
/** What npm prints when the registry has no audit endpoint (this machine's answers 405). */
const endpointMissing = {
  message: "405 Method Not Allowed - POST .../advisories/bulk",
  statusCode: 405,
};

describe("scripts/npm-audit.sh", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "npm-audit-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function audit(npmAnswer: object, accepted: object[] = []) {
    writeFileSync(path.join(dir, "answer.json"), JSON.stringify(npmAnswer));
    writeFileSync(
      path.join(dir, "npm"),
      `#!/bin/sh\ncat "${path.join(dir, "answer.json")}"\nexit 1\n`,
    );
    chmodSync(path.join(dir, "npm"), 0o755);
    writeFileSync(path.join(dir, "allowlist.json"), JSON.stringify({ advisories: accepted }));
    const result = spawnSync(path.join(repoRoot, "scripts/npm-audit.sh"), {
      encoding: "utf8",
      env: {
        ...process.env,
        PATH: `${dir}:${process.env.PATH}`,
        NPM_AUDIT_ALLOWLIST: path.join(dir, "allowlist.json"),
      },
    });
    return { code: result.status, output: `${result.stdout}${result.stderr}` };
  }
  const future = "2999-01-01";

  it("passes with no high or critical advisory (moderate ones are not its business)", () => {
    expect(audit(reportWith(advisory("GHSA-2222-3333-4444", "moderate")))).toEqual({
      code: 0,
      output: expect.stringContaining("no unaccepted high or critical advisory"),
    });
  });

  it("fails on a high advisory nobody accepted, naming it and the package", () => {
    const { code, output } = audit(reportWith(advisory("GHSA-2222-3333-4444", "high")));
    expect(code).toBe(1);
    expect(output).toContain("GHSA-2222-3333-4444 (high) in vulnerable-lib: a high problem");
  });

  it("accepts an allowlisted advisory until its date, and says so with the reason", () => {
    const { code, output } = audit(reportWith(advisory("GHSA-2222-3333-4444", "critical")), [
      {
        id: "GHSA-2222-3333-4444",
        reason: "only reachable through a feature we do not use",
        until: future,
      },
    ]);
    expect(code).toBe(0);
    expect(output).toContain("accepted until 2999-01-01: GHSA-2222-3333-4444 (critical)");
  });

  it("fails once an acceptance has expired, and refuses an entry without a reason", () => {
    const found = reportWith(advisory("GHSA-2222-3333-4444", "high"));
    const expired = audit(found, [{ id: "GHSA-2222-3333-4444", reason: "r", until: "2000-01-01" }]);
    expect(expired.code).toBe(1);
    expect(expired.output).toContain("accepted until 2000-01-01, which has passed");
    const unexplained = audit(found, [{ id: "GHSA-2222-3333-4444", until: future }]);
    expect(unexplained.code).toBe(1);
    expect(unexplained.output).toContain('needs a GHSA id, a reason and an "until" date');
  });

  it("says it skipped, with exit code 3, when the registry has no audit endpoint", () => {
    expect(audit(endpointMissing)).toEqual({
      code: 3,
      output: expect.stringMatching(/^npm audit: skipped: .*\(405\)/),
    });
  });

  it("ships an allowlist that is valid and empty of stale entries", () => {
    const allowlist = JSON.parse(
      readFileSync(path.join(repoRoot, ".github/npm-audit-allowlist.json"), "utf8"),
    ) as { advisories: { id: string; reason: string; until: string }[] };
    for (const entry of allowlist.advisories) {
      expect(entry).toEqual({
        id: expect.stringMatching(/^GHSA-/),
        reason: expect.any(String),
        until: expect.any(String),
      });
    }
  });
});

describe(".github/workflows/ci.yml", () => {
  const text = readFileSync(path.join(repoRoot, ".github/workflows/ci.yml"), "utf8");
  const workflow = parse(text) as {
    jobs: Record<string, { steps: { uses?: string; run?: string }[] }>;
  };
  const uses = Object.values(workflow.jobs).flatMap((job) =>
    job.steps.flatMap((s) => (s.uses ? [s.uses] : [])),
  );

  it("pins every action to a full commit with the release tag beside it", () => {
    expect(uses.length).toBeGreaterThan(0);
    for (const use of uses) expect(use).toMatch(/^[\w-]+\/[\w-]+@[0-9a-f]{40}$/);
    for (const line of text.split("\n").filter((l) => /uses: /.test(l))) {
      expect(line).toMatch(/@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    }
  });

  it("audits the production dependencies and keeps the SBOM of every build", () => {
    const runs = Object.values(workflow.jobs).flatMap((job) => job.steps.map((s) => s.run ?? ""));
    expect(runs).toContain("scripts/npm-audit.sh");
    expect(runs).toContain("make sbom");
    expect(text).toMatch(/path: sbom\.cdx\.json/);
  });
});
