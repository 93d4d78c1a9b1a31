// Which timers a piece of work leaves behind: a leftover timer holds a closing process (or a
// test run) open. Only timers created from code whose path contains `createdIn` count, so the
// test runner's own timers (its reporter, undici's shared clock) never make a test flaky.
import { createHook } from "node:async_hooks";

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Stacks of the timers `work` started from `createdIn` and still pending `settleMs` after it. */
export async function timersLeftBy(
  work: () => Promise<void>,
  createdIn: string,
  settleMs = 50,
): Promise<string[]> {
  const pending = new Map<number, string>();
  let recording = true;
  const hook = createHook({
    init(id, type) {
      if (!recording || type !== "Timeout") return;
      const stack = new Error().stack ?? "";
      if (stack.includes(createdIn)) pending.set(id, stack);
    },
    destroy(id) {
      pending.delete(id);
    },
  }).enable();
  try {
    await work();
    recording = false;
    await pause(settleMs);
  } finally {
    hook.disable();
  }
  return [...pending.values()];
}
