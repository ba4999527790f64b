import type { TagDescriptor } from "../descriptor/tag-descriptor.js";
import type { ObjectEntry } from "./object-entry.js";
import type { Exposer, TagSink } from "./participants.js";

/**
 * A tag as one node sees it: the existing objects that carry it and the participants that observe or
 * expose it. Lives while any of the three is non-empty.
 */
export class TagEntry {
  readonly objects = new Set<ObjectEntry>();
  readonly observers = new Set<TagSink>();
  readonly exposers = new Set<Exposer>();
  /** The tag list of an object carrying this tag alone, one for all of them (see Exchange.tagEntriesOf). */
  readonly alone: readonly TagEntry[] = Object.freeze([this]);

  constructor(readonly descriptor: TagDescriptor) {}

  get key(): string {
    return this.descriptor.key;
  }

  get unused(): boolean {
    return this.objects.size === 0 && this.observers.size === 0 && this.exposers.size === 0;
  }
}
