// The rules a service name must follow, and the spellings the repository writes it in.

export const NAME_MIN_LENGTH = 3;
// 40 leaves room for the longest derived object name (`<name>-backends-egress`) under the
// 63-character Kubernetes name limit, and keeps `<name>-reconcile` under the 52 characters a
// CronJob may have (its Jobs add an 11-character suffix).
export const NAME_MAX_LENGTH = 40;

/** Every rule `name` breaks, each as a phrase that can follow "it". Empty when it is valid. */
export function serviceNameProblems(name: string): string[] {
  const problems: string[] = [];
  if (name.length < NAME_MIN_LENGTH || name.length > NAME_MAX_LENGTH) {
    problems.push(
      `must be ${NAME_MIN_LENGTH} to ${NAME_MAX_LENGTH} characters long (it has ${name.length})`,
    );
  }
  const foreign = [...new Set(name.replace(/[a-z0-9-]/g, ""))];
  if (foreign.length > 0) {
    const shown = foreign.map((c) => JSON.stringify(c)).join(", ");
    problems.push(`may hold only lowercase letters a-z, digits and hyphens (not ${shown})`);
  }
  // A letter first: the name also becomes an alert-name prefix (PascalCase), which Prometheus
  // wants to start with a letter, and part of the development database's name.
  if (name.length > 0 && !/^[a-z]/.test(name)) problems.push("must start with a letter a-z");
  if (name.length > 0 && !/[a-z0-9]$/.test(name)) problems.push("must end with a letter or digit");
  if (name.includes("--")) problems.push("must not hold two hyphens in a row");
  return problems;
}

/** The spellings of one service name: as written in manifests, metrics and alert names. */
export interface NameForms {
  /** `payments-api`: package, image, Kubernetes objects, labels, compose project. */
  readonly kebab: string;
  /** `payments_api`: metric prefixes and database names, where a hyphen is not allowed. */
  readonly snake: string;
  /** `PaymentsApi`: the prefix of alert names. */
  readonly pascal: string;
}

export function nameForms(kebab: string): NameForms {
  return {
    kebab,
    snake: kebab.replaceAll("-", "_"),
    pascal: kebab
      .split("-")
      .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
      .join(""),
  };
}
