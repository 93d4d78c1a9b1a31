// The two ways a file can resist an edit. Neither writes anything: the first stops the whole
// command before any file is written, the second leaves one file for the user to check.

/** An edit would change more than the names it means to change: a bug, so nothing is written. */
export class UnsafeEditError extends Error {
  override readonly name = "UnsafeEditError";
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: ${reason}`);
  }
}

/** A file of a known kind that does not parse as one (a template, say): left unchanged. */
export class UnparseableFileError extends Error {
  override readonly name = "UnparseableFileError";
}
