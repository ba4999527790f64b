/**
 * Damage to one carrier message in flight, as fuzz tests inflict it: a flipped bit, a cut, or the whole
 * message replaced by random bytes. Direction "aToB" is the connection's Down → Up side.
 */
import fc from "fast-check";
import type { MemoryDirection } from "../../transports/memory-carrier.js";

/** How one message in flight is damaged. */
export interface MessageDamage {
  readonly direction: MemoryDirection;
  /** Index of the damaged message in that direction. */
  readonly nth: number;
  readonly kind: "flip" | "truncate" | "random";
  readonly at: number;
  readonly random: Uint8Array;
}

/** Any damage to one of the first four messages of either direction. */
export const messageDamageArb: fc.Arbitrary<MessageDamage> = fc.record({
  direction: fc.constantFrom<MemoryDirection>("aToB", "bToA"),
  nth: fc.nat(3),
  kind: fc.constantFrom("flip" as const, "truncate" as const, "random" as const),
  at: fc.nat(),
  random: fc.uint8Array({ maxLength: 40 }),
});

/** The damaged copy of `bytes` (the original is left as it is). */
export function damaged(bytes: Uint8Array, damage: MessageDamage): Uint8Array {
  if (damage.kind === "random") return damage.random.slice();
  const index = damage.at % bytes.length;
  if (damage.kind === "truncate") return bytes.slice(0, index);
  const copy = bytes.slice();
  copy[index] = (copy[index] as number) ^ (1 << (damage.at % 8));
  return copy;
}

/**
 * Returns a function that sees every message of the connection with its direction and returns it
 * damaged if it is the one `damage` picks, or as it is.
 */
export function damageOnce(damage: MessageDamage): (bytes: Uint8Array, direction: MemoryDirection) => Uint8Array {
  const seen: Record<MemoryDirection, number> = { aToB: 0, bToA: 0 };
  return (bytes, direction) =>
    direction === damage.direction && seen[direction]++ === damage.nth ? damaged(bytes, damage) : bytes;
}
