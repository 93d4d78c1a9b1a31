// A new name that the repository already uses for something else (`redis`, `product-service`,
// `orders`) would merge two identities into one, and a later rename could not tell them apart.
import { IdentityRenamer, NAME_CHARACTERS } from "./identity-renamer";
import type { Plan } from "./plan";
import { EXIT_CODES, Refusal } from "./refusal";
import type { NameForms } from "./service-name";

const SHOWN = 5;

export function refuseTakenName(plan: Plan, name: NameForms): void {
  const probe = new IdentityRenamer([
    { from: name.kebab, to: "", wordCharacters: NAME_CHARACTERS },
    { from: name.snake, to: "", wordCharacters: NAME_CHARACTERS },
  ]);
  const places: string[] = [];
  for (const file of plan.files()) {
    const text = plan.read(file);
    for (const { index } of text === undefined ? [] : probe.occurrences(text)) {
      places.push(`${file}:${text?.slice(0, index).split("\n").length}`);
    }
  }
  if (places.length === 0) return;
  const shown = places.slice(0, SHOWN).join(", ");
  const more = places.length > SHOWN ? ` and ${places.length - SHOWN} more` : "";
  throw new Refusal(
    `invalid --name "${name.kebab}": this repository already uses that name for something ` +
      `else (${shown}${more}); choose a name it does not hold yet`,
    EXIT_CODES.usage,
  );
}
