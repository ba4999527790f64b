import { flatString } from "./flat-string.js";
import { canonicalCopyOf, canonicalJson } from "./canonical-json.js";
import type { DescriptorLimits } from "./descriptor-limits.js";
import { resolveDescriptorLimits } from "./descriptor-limits.js";
import { InvalidDescriptorError } from "./invalid-descriptor-error.js";
import type { JsonValue } from "./json-value.js";
import { shortText } from "./short-text.js";
import { TagDescriptor } from "./tag-descriptor.js";

/** The wire form of an object descriptor: plain JSON, what `toJSON` gives and `fromJSON` accepts. */
export interface ObjectDescriptorJson {
  tags: JsonValue[];
  json: JsonValue;
}

/**
 * Identifies a data object: any JSON value plus a set of tags. Identity is canonical (tag order,
 * duplicate tags and JSON key order do not matter) and computed once, at construction.
 */
export class ObjectDescriptor {
  /** The distinct tags, sorted by key. */
  readonly tags: readonly TagDescriptor[];
  /** A deep-frozen private copy of the object's JSON; later changes to the caller's value change nothing. */
  readonly json: JsonValue;
  /**
   * Canonical identity, stable across processes: the canonical JSON text of `[[tag JSONs sorted by
   * key], json]`, so different (tag set, json) pairs always have different keys.
   */
  readonly key: string;

  /**
   * Validates tags and json against `limits` (InvalidJsonError naming e.g. `$.tags[1].user.id` or
   * `$.json.items[3]`; InvalidDescriptorError for too many tags or a key longer than maxLength).
   */
  constructor(tags: Iterable<TagDescriptor | JsonValue>, json: JsonValue, limits?: Partial<DescriptorLimits>) {
    const resolved = resolveDescriptorLimits(limits);
    if (typeof tags !== "object" || tags === null || typeof (tags as Partial<Iterable<unknown>>)[Symbol.iterator] !== "function") {
      throw new InvalidDescriptorError(
        `Invalid object descriptor: tags must be an iterable (e.g. an array) of tags, got ${describe(tags)}; wrap a single tag in an array`,
      );
    }
    const list: TagDescriptor[] = [];
    let index = 0;
    for (const tag of tags) {
      list.push(TagDescriptor.from(tag, resolved, "$.tags[" + index + "]"));
      index++;
    }
    const distinct = sortedDistinct(list);
    if (distinct.length > resolved.maxTags) {
      throw new InvalidDescriptorError(
        `Invalid object descriptor: ${distinct.length} distinct tags, more than ${resolved.maxTags} (limit maxTags); use fewer tags or raise maxTags`,
      );
    }
    const canonical = canonicalCopyOf(json, resolved, "$.json");
    let tagKeys = "";
    for (let i = 0; i < distinct.length; i++) tagKeys += (i > 0 ? "," : "") + distinct[i]!.key;
    const key = "[[" + tagKeys + "]," + canonical.text + "]";
    if (key.length > resolved.maxLength) {
      throw new InvalidDescriptorError(
        `Invalid object descriptor: its canonical key has ${key.length} characters, more than ${resolved.maxLength} (limit maxLength); use smaller tags and json or raise maxLength`,
      );
    }
    this.tags = sharedTagList(distinct, tagKeys);
    this.json = canonical.value;
    this.key = flatString(key);
  }

  /** Whether both describe the same object (same tag set, same json). */
  equals(other: ObjectDescriptor): boolean {
    return this === other || this.key === other.key;
  }

  /** Whether `tag` is one of this object's tags. */
  hasTag(tag: TagDescriptor): boolean {
    const tags = this.tags;
    for (let i = 0; i < tags.length; i++) if (tags[i]!.key === tag.key) return true;
    return false;
  }

  /** The wire form `{ tags, json }` (a fresh outer object and array; the JSON inside is frozen). */
  toJSON(): ObjectDescriptorJson {
    return { tags: this.tags.map((tag) => tag.json), json: this.json };
  }

  /** Short readable form for logs, e.g. `{"id":7} #"chat" #{"room":"lobby"}`, truncated. */
  toString(): string {
    let text = canonicalJson(this.json);
    for (const tag of this.tags) text += " " + tag.toString();
    return shortText(text);
  }

  /**
   * Builds a descriptor from its untrusted wire form (e.g. from the network): checks the shape
   * (exactly `tags`, an array of at most maxTags entries, and `json`) before looking inside, then
   * validates like the constructor. Throws InvalidDescriptorError or InvalidJsonError.
   */
  static fromJSON(wire: unknown, limits?: Partial<DescriptorLimits>): ObjectDescriptor {
    const resolved = resolveDescriptorLimits(limits);
    if (typeof wire !== "object" || wire === null || !isPlainPrototype(Object.getPrototypeOf(wire))) {
      throw new InvalidDescriptorError(
        `Invalid object descriptor: expected a plain object {"tags": [...], "json": ...}, got ${describe(wire)}`,
      );
    }
    for (const field of Object.keys(wire)) {
      if (field !== "tags" && field !== "json") {
        throw new InvalidDescriptorError(
          `Invalid object descriptor: unexpected field ${shortText(JSON.stringify(field), 40)}; only "tags" and "json" are allowed`,
        );
      }
    }
    if (!Object.hasOwn(wire, "tags") || !Object.hasOwn(wire, "json")) {
      throw new InvalidDescriptorError(`Invalid object descriptor: both "tags" and "json" are required`);
    }
    const { tags, json } = wire as { tags: unknown; json: unknown };
    if (!Array.isArray(tags) || Object.getPrototypeOf(tags) !== Array.prototype) {
      throw new InvalidDescriptorError(`Invalid object descriptor: "tags" must be an array, got ${describe(tags)}`);
    }
    if (tags.length > resolved.maxTags) {
      throw new InvalidDescriptorError(
        `Invalid object descriptor: ${tags.length} tags, more than ${resolved.maxTags} (limit maxTags)`,
      );
    }
    for (let i = 0; i < tags.length; i++) {
      if (tags[i] instanceof TagDescriptor) {
        throw new InvalidDescriptorError(`Invalid object descriptor: tag ${i} is a TagDescriptor instance, not wire JSON`);
      }
    }
    return new ObjectDescriptor(tags as JsonValue[], json as JsonValue, resolved);
  }
}

/**
 * Sorts tags by key (UTF-16 code units) and drops repeats, in place. A descriptor usually has a few
 * tags, where insertion sort beats Array.prototype.sort with a comparator several times over.
 */
function sortedDistinct(tags: TagDescriptor[]): TagDescriptor[] {
  const n = tags.length;
  let kept = 0;
  if (n <= 16) {
    for (let i = 0; i < n; i++) {
      const tag = tags[i]!;
      const key = tag.key;
      let j = kept - 1;
      while (j >= 0 && tags[j]!.key > key) j--;
      if (j >= 0 && tags[j]!.key === key) continue;
      for (let k = kept; k > j + 1; k--) tags[k] = tags[k - 1]!;
      tags[j + 1] = tag;
      kept++;
    }
  } else {
    tags.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    for (let i = 0; i < n; i++) if (kept === 0 || tags[i]!.key !== tags[kept - 1]!.key) tags[kept++] = tags[i]!;
  }
  if (kept < n) tags.length = kept;
  return tags;
}

const NO_TAGS: readonly TagDescriptor[] = Object.freeze([]);

/** How many tag lists `sharedTagList` remembers; past that it starts over (a bound, not a cache policy worth more). */
const RECENT_TAG_LISTS = 1024;
const recentTagLists = new Map<string, readonly TagDescriptor[]>();

/**
 * A frozen list of `distinct` (sorted, distinct tags whose keys joined by commas are `tagKeys`): a
 * recently made equal one if there is. Many objects carry the same tags, and a list each would cost
 * memory per object; so do their entries in every node (see Exchange.tagEntriesOf).
 */
function sharedTagList(distinct: readonly TagDescriptor[], tagKeys: string): readonly TagDescriptor[] {
  if (distinct.length === 0) return NO_TAGS;
  const known = recentTagLists.get(tagKeys);
  if (known !== undefined) return known;
  // An exact-size copy: the list grew by push, and its spare capacity would live as long as the list.
  const list = Object.freeze(distinct.slice());
  if (recentTagLists.size >= RECENT_TAG_LISTS) recentTagLists.clear();
  recentTagLists.set(tagKeys, list);
  return list;
}

function isPlainPrototype(prototype: unknown): boolean {
  return prototype === Object.prototype || prototype === null;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : typeof value === "string" ? "a string" : typeof value;
}
