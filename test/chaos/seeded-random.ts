// A small seeded PRNG (mulberry32) so a chaos run's fault schedule and client choices can be
// replayed from the seed it prints.
import { randomInt } from "node:crypto";

export const MAX_SEED = 2 ** 32 - 1;

export function randomSeed(): number {
  return randomInt(0, MAX_SEED);
}

export class SeededRandom {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A derived, independent stream (e.g. one per client) that depends only on seed and label. */
  fork(label: number): SeededRandom {
    return new SeededRandom(Math.imul(this.#state ^ (label + 0x9e3779b9), 0x85ebca6b));
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** A whole number in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(values: readonly T[]): T {
    return values[this.int(0, values.length - 1)]!;
  }

  shuffle<T>(values: readonly T[]): T[] {
    const copy = [...values];
    for (let i = copy.length - 1; i > 0; i -= 1) {
      const j = this.int(0, i);
      [copy[i], copy[j]] = [copy[j]!, copy[i]!];
    }
    return copy;
  }
}
