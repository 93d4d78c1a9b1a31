// Replaces a service's names where each stands as a whole token, in any text. What a "whole
// token" is depends on the spelling: `order-service-config`, `kind-order-service` and
// `order-service.rules.yaml` are derived names (renamed), `reorder-service` is another word.

export interface Renaming {
  readonly from: string;
  readonly to: string;
  /**
   * The characters that, right before or after `from`, make it part of a longer word (a regular
   * expression class body). Hyphens, dots, slashes and colons never do: they join a name to a
   * suffix, a tag, a path or a URN.
   */
  readonly wordCharacters: string;
}

/** Whole words: `OrderServiceUnavailable`, `orders_dev`. */
export const WORD_CHARACTERS = "A-Za-z0-9_";
/**
 * The service's own names also prefix longer names with an underscore: a metric
 * (`order_service_http_requests_total`), a Compose network (`order-service_default`).
 */
export const NAME_CHARACTERS = "A-Za-z0-9";

export interface Occurrence {
  readonly index: number;
  readonly from: string;
}

const isWordCharacter = (character: string | undefined) =>
  character !== undefined && /[A-Za-z0-9_]/.test(character);

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&");

export class IdentityRenamer {
  private readonly pattern: RegExp | undefined;
  private readonly targets: ReadonlyMap<string, string>;

  /**
   * @param keep spellings that hold a name but are not an identity (a code module's path such
   *   as `orders/order-service`); a name inside one of them is left as it is.
   */
  constructor(
    renamings: readonly Renaming[],
    private readonly keep: readonly string[] = [],
  ) {
    const effective = renamings.filter((r) => r.from !== r.to && r.from.length > 0);
    this.targets = new Map(effective.map((r) => [r.from, r.to]));
    // Longest first, so a name that contains another one wins where both would match.
    const alternatives = [...effective]
      .sort((a, b) => b.from.length - a.from.length)
      .map((r) => `(?<![${r.wordCharacters}])${escapeRegExp(r.from)}(?![${r.wordCharacters}])`);
    this.pattern = alternatives.length > 0 ? new RegExp(alternatives.join("|"), "g") : undefined;
  }

  get isIdentity(): boolean {
    return this.pattern === undefined;
  }

  /** Every name `text` holds as a token, outside the kept spellings. */
  occurrences(text: string): Occurrence[] {
    if (this.pattern === undefined) return [];
    const kept = this.keptSpans(text);
    const found: Occurrence[] = [];
    for (const match of text.matchAll(this.pattern)) {
      const end = match.index + match[0].length;
      if (!kept.some(([from, to]) => match.index >= from && end <= to)) {
        found.push({ index: match.index, from: match[0] });
      }
    }
    return found;
  }

  rename(text: string): { readonly text: string; readonly count: number } {
    const found = this.occurrences(text);
    if (found.length === 0) return { text, count: 0 };
    let result = "";
    let last = 0;
    for (const { index, from } of found) {
      result += text.slice(last, index) + (this.targets.get(from) ?? from);
      last = index + from.length;
    }
    return { text: result + text.slice(last), count: found.length };
  }

  private keptSpans(text: string): (readonly [number, number])[] {
    const spans: (readonly [number, number])[] = [];
    for (const spelling of this.keep) {
      for (let at = text.indexOf(spelling); at !== -1; at = text.indexOf(spelling, at + 1)) {
        const end = at + spelling.length;
        // `order-service.js` keeps the module, not `order-service.json`, a file of the service's.
        if (!isWordCharacter(text[at - 1]) && !isWordCharacter(text[end])) spans.push([at, end]);
      }
    }
    return spans;
  }
}
