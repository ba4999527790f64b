import type { ObjectEntry } from "./object-entry.js";

/**
 * The objects an exposer is elected for, as the exchange keeps them: a Set for tag exposers (any
 * number), a OneEntrySet for exposers of one object.
 */
export interface EntrySet extends Iterable<ObjectEntry> {
  readonly size: number;
  has(entry: ObjectEntry): boolean;
  add(entry: ObjectEntry): unknown;
  delete(entry: ObjectEntry): boolean;
}

/** An EntrySet that holds at most one entry: what an object exposer needs, without a Set's 144 bytes. */
export class OneEntrySet implements EntrySet {
  private entry: ObjectEntry | undefined;

  get size(): number {
    return this.entry === undefined ? 0 : 1;
  }

  has(entry: ObjectEntry): boolean {
    return this.entry === entry;
  }

  add(entry: ObjectEntry): void {
    if (this.entry !== undefined && this.entry !== entry) {
      throw new Error("OneEntrySet holds one entry: an object exposer was elected for a second object");
    }
    this.entry = entry;
  }

  delete(entry: ObjectEntry): boolean {
    if (this.entry !== entry) return false;
    this.entry = undefined;
    return true;
  }

  *[Symbol.iterator](): Iterator<ObjectEntry> {
    if (this.entry !== undefined) yield this.entry;
  }
}
