import type { MemoryCorruption } from "./memory-carrier.js";

/** Options of `bitFlipCorruption`. */
export interface BitFlipCorruptionOptions {
  /** Chance (0..1) that a given non-empty message gets one bit flipped. */
  readonly probability: number;
  /** Seed of the pseudo-random sequence, so a failing run can be replayed exactly. */
  readonly seed: number;
}

/**
 * A seeded corruption for memory links that flips one random bit in a random share of messages,
 * modelling line noise reproducibly.
 */
export function bitFlipCorruption(options: BitFlipCorruptionOptions): MemoryCorruption {
  const { probability } = options;
  if (!(probability >= 0 && probability <= 1)) {
    throw new RangeError(`Bit-flip probability must be between 0 and 1, got ${probability}.`);
  }
  let state = options.seed >>> 0;
  const next = (): number => {
    // mulberry32
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return (bytes) => {
    if (bytes.byteLength === 0 || next() >= probability) return;
    const bit = Math.floor(next() * bytes.byteLength * 8);
    const index = bit >>> 3;
    bytes[index] = (bytes[index] as number) ^ (1 << (bit & 7));
  };
}
