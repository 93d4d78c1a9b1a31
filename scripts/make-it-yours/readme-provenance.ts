// One line under the README's title that says where the service came from and where the rest
// of the work is described. It names the template, so later renames (which rename the
// current name, never the template's) leave it as it is.
import { GUIDE } from "./upstream-settings";

const PROVENANCE = /^> Made from the `[^`]+` template/m;

export function withProvenance(readme: string, template: string): string | undefined {
  if (PROVENANCE.test(readme)) return undefined;
  const title = /^# .*\n/.exec(readme);
  if (title === null) return undefined;
  const line =
    `> Made from the \`${template}\` template with \`npm run make-it-yours\`; ` +
    `[${GUIDE}](${GUIDE}) says what it changed and what is left to do.\n`;
  const end = title[0].length;
  return `${readme.slice(0, end)}\n${line}${readme.slice(end)}`;
}
