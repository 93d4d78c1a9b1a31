// The command line: what may be passed, and the precise refusal for anything else.
import { parseArgs } from "node:util";
import { EXIT_CODES, Refusal } from "./refusal";
import { serviceNameProblems } from "./service-name";

export interface Options {
  readonly name: string;
  readonly withoutFakes: boolean;
  readonly force: boolean;
}

export type ParsedArguments = { readonly help: true } | ({ readonly help: false } & Options);

export const USAGE = `Usage: npm run make-it-yours -- --name <service-name> [--without-fakes] [--force]

  --name <service-name>  the new name: a kebab-case DNS label, 3 to 40 characters
                         (lowercase letters, digits, single hyphens; a letter first)
  --without-fakes        also remove the fake upstreams and the development identity
                         provider from docker-compose.yml and the kind overlay; their URLs
                         become required settings (npm run dev and the tests keep the fakes)
  --force                run even though the git work tree has uncommitted changes
  -h, --help             show this text

Renames the service everywhere its name is an identity (docs/make-it-yours.md).`;

/** A refusal the user fixes by changing the command line. */
const usageError = (message: string) => new Refusal(message, EXIT_CODES.usage);

export function parseArguments(argv: readonly string[]): ParsedArguments {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        name: { type: "string" },
        "without-fakes": { type: "boolean", default: false },
        force: { type: "boolean", default: false },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (error) {
    // node:util's messages name the offending option; the usage line says what is allowed.
    throw usageError(error instanceof Error ? error.message : String(error));
  }
  const { values } = parsed;
  if (values.help) return { help: true };
  if (values.name === undefined) throw usageError("missing --name <service-name>");
  const problems = serviceNameProblems(values.name);
  if (problems.length > 0) {
    throw usageError(
      `invalid --name ${JSON.stringify(values.name)}: a service name is a kebab-case DNS label that\n` +
        problems.map((problem) => `  - ${problem}`).join("\n"),
    );
  }
  return {
    help: false,
    name: values.name,
    withoutFakes: values["without-fakes"],
    force: values.force,
  };
}
