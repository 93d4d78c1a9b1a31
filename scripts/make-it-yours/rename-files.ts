// The rename itself: every file's names through the renamer of its kind, and the files whose
// own name is the service's (`order-service.rules.yaml`) moved to the new one. Code modules
// keep their names: `orders/order-service.ts` is the orders domain's service, not the service.
import path from "node:path";
import { UnparseableFileError, UnsafeEditError } from "./edit-errors";
import { kindOf, renameFile } from "./file-kinds";
import type { Identity } from "./identity";
import type { Plan } from "./plan";

const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;

/** Renames in place in the plan; returns the files it could not read as their kind. */
export function renameEverywhere(plan: Plan, identity: Identity): string[] {
  const unparseable: string[] = [];
  for (const file of [...plan.files()]) {
    const source = plan.read(file);
    if (source === undefined) continue; // binary
    try {
      const renamed = renameFile(file, source, identity.renamer);
      if (renamed.count > 0) {
        const variables = renamed.variables.length > 0 ? ` (${renamed.variables.join(", ")})` : "";
        plan.write(file, renamed.text, `${plural(renamed.count, "name")}${variables}`);
      }
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (!(error instanceof UnparseableFileError)) throw new UnsafeEditError(file, reason);
      if (identity.renamer.occurrences(source).length > 0) {
        unparseable.push(
          `${file}: not readable as ${kindOf(file)} (${reason}); its names are unchanged`,
        );
      }
    }
    const base = path.posix.basename(file);
    if (kindOf(file) === "code") continue;
    const renamedBase = identity.renamer.rename(base).text;
    if (renamedBase !== base) {
      plan.move(
        file,
        path.posix.join(path.posix.dirname(file), renamedBase),
        `renamed from ${base}`,
      );
    }
  }
  return unparseable;
}
