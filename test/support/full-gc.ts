import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** A full (mark-sweep-compact) collection now: exposes V8's gc() for a moment and calls it. */
export function collectFully(): void {
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
}
