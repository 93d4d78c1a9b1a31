#!/usr/bin/env bash
# Audits the production dependencies (`npm audit --omit=dev`) and fails on any high or critical
# advisory that .github/npm-audit-allowlist.json does not accept, with a reason and an expiry,
# so an accepted risk is a reviewed line in the repo, never a silenced tool. npm audit has no
# allowlist of its own, hence this script.
#
# Exit codes: 0 nothing unaccepted; 1 unaccepted advisories (listed), or a bad allowlist;
# 3 the registry's audit endpoint did not answer (some mirrors have none: they answer 405), so
# nothing was audited. The GitHub workflow fails on 3 as on 1; .ci/run reports it and goes on.
#
#   NPM_AUDIT_ALLOWLIST  the allowlist (default .github/npm-audit-allowlist.json)
set -euo pipefail
cd "$(dirname "$0")/.."

allowlist=${NPM_AUDIT_ALLOWLIST:-.github/npm-audit-allowlist.json}
report=$(mktemp)
trap 'rm -f "$report"' EXIT
# npm audit exits non-zero when it finds anything; what it found is in the JSON either way.
npm audit --omit=dev --audit-level=high --json >"$report" 2>/dev/null || true

# shellcheck disable=SC2016 # JavaScript, not shell, in single quotes
node - "$report" "$allowlist" <<'JS'
const fs = require("node:fs");
const [reportFile, allowlistFile] = process.argv.slice(2);
const report = JSON.parse(fs.readFileSync(reportFile, "utf8") || "{}");
if (!report.vulnerabilities) {
  const status = report.statusCode ?? report.error?.code ?? "no report";
  console.log(`npm audit: skipped: the registry's audit endpoint did not answer (${status}): ${report.message ?? ""}`.trim());
  process.exit(3);
}
const today = new Date().toISOString().slice(0, 10);
const { advisories: accepted = [] } = JSON.parse(fs.readFileSync(allowlistFile, "utf8"));
const problems = accepted
  .filter((a) => !/^GHSA(-[23456789cfghjmpqrvwx]{4}){3}$/.test(a.id) || !a.reason?.trim() || !/^\d{4}-\d{2}-\d{2}$/.test(a.until ?? ""))
  .map((a) => `${allowlistFile}: ${JSON.stringify(a)} needs a GHSA id, a reason and an "until" date`);
const acceptedNow = new Map(accepted.filter((a) => a.until >= today).map((a) => [a.id, a]));

// Each advisory once, with the packages it reaches (`via` also lists packages, as strings).
const found = new Map();
for (const [pkg, vulnerability] of Object.entries(report.vulnerabilities)) {
  for (const via of vulnerability.via) {
    if (typeof via !== "object" || !["high", "critical"].includes(via.severity)) continue;
    const id = via.url?.split("/").pop() ?? String(via.source);
    const entry = found.get(id) ?? { id, severity: via.severity, title: via.title, packages: new Set() };
    entry.packages.add(pkg);
    found.set(id, entry);
  }
}
const unaccepted = [...found.values()].filter((a) => !acceptedNow.has(a.id));
for (const a of found.values()) {
  if (acceptedNow.has(a.id)) console.log(`accepted until ${acceptedNow.get(a.id).until}: ${a.id} (${a.severity}) ${a.title}: ${acceptedNow.get(a.id).reason}`);
}
for (const a of accepted) {
  if (!found.has(a.id)) console.log(`no longer reported, remove from ${allowlistFile}: ${a.id}`);
  else if (a.until < today) problems.push(`${a.id}: accepted until ${a.until}, which has passed`);
}
for (const a of unaccepted) {
  problems.push(`${a.id} (${a.severity}) in ${[...a.packages].join(", ")}: ${a.title}`);
}
const { total = 0 } = report.metadata?.vulnerabilities ?? {};
if (problems.length > 0) {
  console.error(`npm audit: ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  process.exit(1);
}
console.log(`npm audit: no unaccepted high or critical advisory (${total} advisories of any severity in production dependencies)`);
JS
