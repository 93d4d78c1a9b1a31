// Violations of the contract a chaos run found, by rule, with a few examples each.
const EXAMPLES_PER_RULE = 3;

export interface ViolationEntry {
  readonly rule: string;
  count: number;
  readonly examples: string[];
}

export class ViolationList {
  readonly #byRule = new Map<string, ViolationEntry>();

  add(rule: string, detail: string): void {
    let entry = this.#byRule.get(rule);
    if (!entry) {
      entry = { rule, count: 0, examples: [] };
      this.#byRule.set(rule, entry);
    }
    entry.count += 1;
    if (entry.examples.length < EXAMPLES_PER_RULE) entry.examples.push(detail);
  }

  get entries(): readonly ViolationEntry[] {
    return [...this.#byRule.values()];
  }

  get total(): number {
    return this.entries.reduce((sum, entry) => sum + entry.count, 0);
  }

  count(rule: string): number {
    return this.#byRule.get(rule)?.count ?? 0;
  }
}
