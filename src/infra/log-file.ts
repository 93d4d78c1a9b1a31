import path from "node:path";
import { once } from "node:events";
import type SonicBoom from "sonic-boom";

// Bounded so a log shipper that falls behind can never fill the pod's emptyDir:
// at most (1 + KEPT_FILES) x MAX_FILE_SIZE on disk.
const MAX_FILE_SIZE = "10m";
const KEPT_FILES = 2;

/** A size-rotated copy of the log stream (LOG_FILE), for the log-shipping sidecar to tail. */
export async function openRotatingLogFile(file: string): Promise<SonicBoom> {
  // Loaded only when LOG_FILE is set: pino-roll pulls in date-fns, ~45 ms of every start.
  const { default: pinoRoll } = await import("pino-roll");
  const parsed = path.parse(file);
  return pinoRoll({
    file: path.join(parsed.dir, parsed.name),
    extension: parsed.ext || ".log",
    size: MAX_FILE_SIZE,
    limit: { count: KEPT_FILES },
    mkdir: true,
  });
}

/** Writes out what is buffered; the file stays open for any later line. */
export function flushLogFile(stream: SonicBoom): Promise<void> {
  return new Promise((resolve, reject) =>
    stream.flush((error) => (error ? reject(error) : resolve())),
  );
}

export async function closeLogFile(stream: SonicBoom): Promise<void> {
  const closed = once(stream, "close");
  stream.end();
  await closed;
}
