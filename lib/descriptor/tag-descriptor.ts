import { flatString } from "./flat-string.js";
import { canonicalCopyOf } from "./canonical-json.js";
import type { DescriptorLimits } from "./descriptor-limits.js";
import { resolveDescriptorLimits } from "./descriptor-limits.js";
import { shortText } from "./short-text.js";
import type { JsonValue } from "./json-value.js";

/**
 * Identifies a tag: any JSON value. Objects carry tags, and contracts on a tag observe or expose every
 * object carrying it. Identity is canonical (JSON key order does not matter), fixed at construction.
 */
export class TagDescriptor {
  /** A deep-frozen private copy of the tag's JSON; later changes to the caller's value change nothing. */
  readonly json: JsonValue;
  /** Canonical JSON text of `json`: equal for equal tags, in every process. */
  readonly key: string;

  /**
   * Validates `json` against `limits` (InvalidJsonError naming the offending place, `path` being the
   * name of `json` in that message) and computes the key once.
   */
  constructor(json: JsonValue, limits?: Partial<DescriptorLimits>, path = "$") {
    const canonical = canonicalCopyOf(json, resolveDescriptorLimits(limits), path);
    this.json = canonical.value;
    this.key = flatString(canonical.text);
  }

  /** Whether both describe the same tag. */
  equals(other: TagDescriptor): boolean {
    return this === other || this.key === other.key;
  }

  /** The tag's JSON, for JSON.stringify and the wire. */
  toJSON(): JsonValue {
    return this.json;
  }

  /** Short readable form for logs, e.g. `#{"room":"lobby"}`, truncated. */
  toString(): string {
    return "#" + shortText(this.key);
  }

  /**
   * Returns `value` when it already is a TagDescriptor, else one for it: a recently made equal one if
   * there is (tags are shared by many objects, and each kept copy would cost memory per object).
   */
  static from(value: TagDescriptor | JsonValue, limits?: Partial<DescriptorLimits>, path?: string): TagDescriptor {
    if (value instanceof TagDescriptor) return value;
    const made = new TagDescriptor(value, limits, path);
    const known = recent.get(made.key);
    if (known !== undefined) return known;
    if (recent.size >= RECENT_TAGS) recent.clear();
    recent.set(made.key, made);
    return made;
  }
}

/** How many tags `from` remembers; past that it starts over (a bound, not a cache policy worth more). */
const RECENT_TAGS = 1024;
const recent = new Map<string, TagDescriptor>();
