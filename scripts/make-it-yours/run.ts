// The command from start to finish: refuse early, plan every change in memory, check it, and
// only then write. Returns what happened for the summary.
import { keepFormatted } from "./formatting";
import { discoverIdentity } from "./identity";
import { refuseTakenName } from "./name-collisions";
import { describePackage } from "./package-manifest";
import { type FileChange, Plan } from "./plan";
import { withProvenance } from "./readme-provenance";
import { EXIT_CODES, Refusal } from "./refusal";
import { renameEverywhere } from "./rename-files";
import { isToolFile } from "./tool-files";
import {
  localEnvFile,
  namedDirectories,
  pascalLeftovers,
  proseMentions,
  renamedUrls,
} from "./unsure-names";
import { removeFakes, type RequiredSettings } from "./without-fakes";
import { projectFiles, uncommittedChanges } from "./work-tree";

export interface RunOptions {
  readonly root: string;
  readonly name: string;
  readonly withoutFakes: boolean;
  readonly force: boolean;
}

export interface UnsureNames {
  readonly prose: readonly string[];
  readonly others: readonly string[];
}

export interface Report {
  readonly from: string;
  readonly to: string;
  readonly withoutFakes: boolean;
  readonly changes: readonly FileChange[];
  readonly required: readonly RequiredSettings[];
  readonly unsure: UnsureNames;
}

function refuseUncommittedWork(root: string): void {
  const changes = uncommittedChanges(root);
  if (changes === undefined) {
    throw new Refusal(
      `${root} is not a git work tree, so the command cannot tell whether its changes could be ` +
        "reviewed on their own: commit the project to git first, or rerun with --force",
      EXIT_CODES.dirtyWorkTree,
    );
  }
  if (changes.length > 0) {
    const shown = changes
      .slice(0, 5)
      .map((line) => `  ${line}`)
      .join("\n");
    const more = changes.length > 5 ? `\n  ... and ${changes.length - 5} more` : "";
    throw new Refusal(
      `the work tree has uncommitted changes; commit or stash them first, so the rename is ` +
        `one change you can review and undo, or rerun with --force:\n${shown}${more}`,
      EXIT_CODES.dirtyWorkTree,
    );
  }
}

export async function makeItYours(options: RunOptions): Promise<Report> {
  if (!options.force) refuseUncommittedWork(options.root);
  const plan = new Plan(
    options.root,
    projectFiles(options.root).filter((file) => !isToolFile(file)),
  );
  const identity = discoverIdentity(plan, options.name);
  const renaming = identity.from.kebab !== identity.to.kebab;
  if (renaming) refuseTakenName(plan, identity.to);

  const others = renameEverywhere(plan, identity);
  const manifest = plan.read("package.json");
  const description =
    manifest === undefined
      ? undefined
      : describePackage(manifest, identity.from.kebab, identity.to.kebab);
  if (description !== undefined) {
    plan.write("package.json", description.text, "description");
    others.push(
      `package.json: the description is now "${description.description}"; say what ` +
        `${identity.to.kebab} does`,
    );
  }
  const readme = renaming ? plan.read("README.md") : undefined;
  const withOrigin = readme === undefined ? undefined : withProvenance(readme, identity.from.kebab);
  if (withOrigin !== undefined) plan.write("README.md", withOrigin, "a line on where it came from");

  const fakes = options.withoutFakes ? removeFakes(plan) : { required: [], unsure: [] };
  await keepFormatted(plan);

  const envFile = localEnvFile(options.root, identity);
  const report: Report = {
    from: identity.from.kebab,
    to: identity.to.kebab,
    withoutFakes: options.withoutFakes,
    changes: plan.changes(),
    required: fakes.required,
    unsure: {
      prose: proseMentions(plan, identity),
      others: [
        ...others,
        ...fakes.unsure,
        ...renamedUrls(plan, identity).map((url) => `${url}: renamed; is it yours?`),
        ...pascalLeftovers(plan, identity).map(
          (place) => `${place}: ${identity.from.pascal}... that no alert rule defines`,
        ),
        ...namedDirectories(plan, identity).map((dir) => `${dir}/: a directory; not renamed`),
        ...(envFile === undefined
          ? []
          : [`${envFile}: your own .env (git-ignored, not rewritten)`]),
      ],
    },
  };
  plan.apply();
  return report;
}
