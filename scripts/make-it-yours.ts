// `npm run make-it-yours -- --name <service-name> [--without-fakes] [--force]`: turns this clone
// of the template into your own service (docs/make-it-yours.md).
import path from "node:path";
import { parseArguments, USAGE } from "./make-it-yours/arguments";
import { UnsafeEditError } from "./make-it-yours/edit-errors";
import { EXIT_CODES, Refusal } from "./make-it-yours/refusal";
import { makeItYours } from "./make-it-yours/run";
import { summarise } from "./make-it-yours/summary";

async function main(argv: readonly string[]): Promise<number> {
  const parsed = parseArguments(argv);
  if (parsed.help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT_CODES.done;
  }
  const report = await makeItYours({ ...parsed, root: path.resolve(__dirname, "..") });
  process.stdout.write(summarise(report));
  return EXIT_CODES.done;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof Refusal) {
      const usage = error.exitCode === EXIT_CODES.usage ? `\n\n${USAGE}` : "";
      process.stderr.write(`make-it-yours: ${error.message}${usage}\nNothing was changed.\n`);
      process.exitCode = error.exitCode;
    } else if (error instanceof UnsafeEditError) {
      process.stderr.write(
        `make-it-yours: cannot edit ${error.message}\n` +
          "Nothing was changed: this file is shaped in a way the command cannot edit safely.\n",
      );
      process.exitCode = EXIT_CODES.cannotRename;
    } else {
      process.stderr.write(
        `make-it-yours failed: ${error instanceof Error ? error.stack : String(error)}\n`,
      );
      process.exitCode = EXIT_CODES.failed;
    }
  },
);
