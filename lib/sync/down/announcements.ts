import type { ObjectDescriptor } from "../../descriptor/object-descriptor.js";
import type { ObjectEntry } from "../../exchange/object-entry.js";

/**
 * The objects a child was told of with Announce and not yet told to forget with Withdraw: each
 * review of an object sends one of them only when whether the child should know of it changed, so
 * the child hears of each object once, however often its tags, grants or elections are looked at again.
 */
/** The child's side as Announcements sees it: whether it should know of an object, and how to tell it. */
export interface AnnouncedTo {
  /** Whether the child should know of `entry` now. */
  shouldKnow(entry: ObjectEntry): boolean;
  /** Tells the child (Announce: know of `object`; Withdraw: forget it). */
  announce(label: "Announce" | "Withdraw", object: ObjectDescriptor): void;
}

export class Announcements {
  /** Made at the first Announce (a child that observes no tag is never told of any). */
  private announced: Set<string> | undefined;

  constructor(private readonly child: AnnouncedTo) {}

  /** Re-evaluates whether the child should know of `entry`, and tells it when that changed. */
  review(entry: ObjectEntry): void {
    const key = entry.key;
    const wanted = this.child.shouldKnow(entry);
    const announced = this.announced;
    const known = announced !== undefined && announced.has(key);
    if (wanted && !known) {
      (this.announced ??= new Set()).add(key);
      this.child.announce("Announce", entry.descriptor);
    } else if (!wanted && known) {
      announced.delete(key);
      this.child.announce("Withdraw", entry.descriptor);
    }
  }

  /** The keys of the objects the child was told of (a copy: reviewing them may change the set). */
  keys(): string[] {
    return this.announced === undefined ? [] : [...this.announced];
  }

  /** Forgets every announcement (the link ended: nothing is told). */
  clear(): void {
    this.announced = undefined;
  }
}
