// Resident set size of a child, read from /proc (Linux), sampled while load runs. RSS counts
// the node binary's file-backed pages too (about 50 MB on Node 24, shared and reclaimable);
// the anonymous part is the process's own memory (V8 heap, code, buffers).
import { readFileSync } from "node:fs";

export interface RssReading {
  readonly totalBytes: number;
  readonly anonBytes: number;
  readonly fileBytes: number;
}

const kib = (status: string, field: string) =>
  Number(new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(status)?.[1] ?? Number.NaN) * 1024;

export function readRss(pid: number): RssReading | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    return {
      totalBytes: kib(status, "VmRSS"),
      anonBytes: kib(status, "RssAnon"),
      fileBytes: kib(status, "RssFile"),
    };
  } catch {
    return undefined;
  }
}

/** Remembers the highest RSS seen while it runs (and how it split at that moment). */
export class RssSampler {
  #peak: RssReading = { totalBytes: 0, anonBytes: 0, fileBytes: 0 };
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly pid: number) {}

  get peak(): RssReading {
    return this.#peak;
  }

  /** For LoadTarget.around: samples only while this target is under load. */
  get around(): { before(): void; after(): void } {
    return { before: () => this.start(), after: () => this.stop() };
  }

  start(intervalMs = 100): void {
    this.#sample();
    this.#timer ??= setInterval(() => this.#sample(), intervalMs);
  }

  stop(): void {
    this.#sample();
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #sample(): void {
    const reading = readRss(this.pid);
    if (reading && reading.totalBytes > this.#peak.totalBytes) this.#peak = reading;
  }
}
