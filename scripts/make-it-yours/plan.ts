// Every change the command will make, held in memory until all of them are known and checked:
// a refusal half-way leaves the work tree exactly as it was.
import { chmodSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";

export interface FileChange {
  /** Where the file is after the run (for a removed file, where it was). */
  readonly path: string;
  /** Where it was before, when it moved. */
  readonly movedFrom?: string;
  readonly removed: boolean;
  readonly notes: readonly string[];
}

export class Plan {
  private current: string[];
  private readonly texts = new Map<string, string>();
  private readonly origins = new Map<string, string>();
  private readonly removed = new Set<string>();
  private readonly notes = new Map<string, string[]>();
  private readonly disk = new Map<string, string | undefined>();

  constructor(
    readonly root: string,
    files: readonly string[],
  ) {
    this.current = [...files];
  }

  files(): readonly string[] {
    return this.current;
  }

  /** The file's text as planned so far; undefined for a binary file or one that is gone. */
  read(file: string): string | undefined {
    return this.texts.get(file) ?? this.original(this.origins.get(file) ?? file);
  }

  write(file: string, text: string, note?: string): void {
    if (!this.current.includes(file)) throw new Error(`${file} is not in the plan`);
    this.texts.set(file, text);
    if (note !== undefined) this.note(file, note);
  }

  move(from: string, to: string, note: string): void {
    if (this.current.includes(to)) throw new Error(`cannot move ${from}: ${to} exists`);
    const text = this.read(from);
    if (text !== undefined) this.texts.set(to, text);
    this.texts.delete(from);
    this.origins.set(to, this.origins.get(from) ?? from);
    this.origins.delete(from);
    this.notes.set(to, [note, ...(this.notes.get(from) ?? [])]);
    this.notes.delete(from);
    this.current = this.current.map((file) => (file === from ? to : file));
  }

  remove(file: string, note: string): void {
    const origin = this.origins.get(file) ?? file;
    this.removed.add(origin);
    this.current = this.current.filter((other) => other !== file);
    this.texts.delete(file);
    this.notes.delete(file);
    this.notes.set(origin, [note]);
  }

  note(file: string, note: string): void {
    const notes = this.notes.get(file) ?? [];
    if (!notes.includes(note)) notes.push(note);
    this.notes.set(file, notes);
  }

  changes(): FileChange[] {
    const kept = this.current.flatMap((file): FileChange[] => {
      const origin = this.origins.get(file) ?? file;
      const text = this.texts.get(file);
      const moved = origin !== file;
      if (!moved && (text === undefined || text === this.original(origin))) return [];
      const change = { path: file, removed: false, notes: this.notes.get(file) ?? [] };
      return [moved ? { ...change, movedFrom: origin } : change];
    });
    const gone = [...this.removed].map((file) => ({
      path: file,
      removed: true,
      notes: this.notes.get(file) ?? [],
    }));
    return [...kept, ...gone].sort((a, b) => a.path.localeCompare(b.path));
  }

  apply(): void {
    for (const change of this.changes()) {
      const target = path.join(this.root, change.path);
      if (change.removed) {
        unlinkSync(target);
        continue;
      }
      const origin = path.join(this.root, change.movedFrom ?? change.path);
      const mode = statSync(origin).mode;
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, this.read(change.path) ?? readFileSync(origin));
      chmodSync(target, mode);
      if (change.movedFrom !== undefined) unlinkSync(origin);
    }
  }

  /** The file as it is on disk now, before the plan. */
  original(file: string): string | undefined {
    if (!this.disk.has(file)) {
      let text: string | undefined;
      try {
        const bytes = readFileSync(path.join(this.root, file));
        // A NUL byte in the first 8 KiB is how git, too, tells a binary file.
        text = bytes.subarray(0, 8192).includes(0) ? undefined : bytes.toString("utf8");
      } catch {
        text = undefined;
      }
      this.disk.set(file, text);
    }
    return this.disk.get(file);
  }
}
