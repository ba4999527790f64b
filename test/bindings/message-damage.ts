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

/** Messages an honest run sends in each direction. */
export type MessagesCarried = Readonly<Record<MemoryDirection, number>>;

/**
 * Damage to one message of a connection, aimed at a message its direction carries: `nth` is taken
 * modulo what an honest run sends that way, so every case damages something. `apply` sees every
 * message with its direction and returns it damaged if it is the one picked, or as it is; `applied`
 * tells the test that it did.
 */
export class OneDamage {
  readonly damage: MessageDamage;
  #applied = false;
  readonly #seen: Record<MemoryDirection, number> = { aToB: 0, bToA: 0 };

  constructor(damage: MessageDamage, carried: MessagesCarried) {
    const carriedThatWay = carried[damage.direction];
    if (carriedThatWay < 1) throw new RangeError(`An honest run sends nothing ${damage.direction}: nothing there to damage.`);
    this.damage = { ...damage, nth: damage.nth % carriedThatWay };
  }

  get applied(): boolean {
    return this.#applied;
  }

  readonly apply = (bytes: Uint8Array, direction: MemoryDirection): Uint8Array => {
    if (direction !== this.damage.direction || this.#seen[direction]++ !== this.damage.nth) return bytes;
    this.#applied = true;
    return damaged(bytes, this.damage);
  };
}
