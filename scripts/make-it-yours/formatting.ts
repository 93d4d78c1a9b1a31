// A longer name can push a line past the print width, and `npm run lint` runs
// `prettier --check .`: every changed file prettier formats, and that was formatted before the
// run, is formatted again, with the repository's own prettier settings.
import path from "node:path";
import { check, format, getFileInfo, resolveConfig } from "prettier";
import type { Plan } from "./plan";

export async function keepFormatted(plan: Plan): Promise<void> {
  const ignorePath = path.join(plan.root, ".prettierignore");
  for (const change of plan.changes()) {
    if (change.removed) continue;
    const target = path.join(plan.root, change.path);
    const info = await getFileInfo(target, { ignorePath });
    if (info.ignored || info.inferredParser === null) continue;
    const text = plan.read(change.path);
    const before = plan.original(change.movedFrom ?? change.path);
    if (text === undefined || before === undefined) continue;
    const options = { ...(await resolveConfig(target)), filepath: target };
    const formatted = await format(text, options);
    // Checked second: most renamed files need no formatting, and then one call is enough.
    if (formatted !== text && (await check(before, options))) plan.write(change.path, formatted);
  }
}
