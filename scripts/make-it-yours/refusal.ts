// Why the command stops without changing anything, each with its own exit code so scripts can
// tell a typo from a dirty work tree.
export const EXIT_CODES = {
  done: 0,
  failed: 1,
  usage: 2,
  dirtyWorkTree: 3,
  cannotRename: 4,
} as const;

export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

export class Refusal extends Error {
  override readonly name = "Refusal";
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
  }
}
