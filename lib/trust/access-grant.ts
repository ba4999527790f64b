import type { JsonValue } from "../descriptor/json-value.js";
import type { ObjectDescriptor } from "../descriptor/object-descriptor.js";
import type { TagDescriptor } from "../descriptor/tag-descriptor.js";
import { ALLOWED, Denial, type DenialCause, type Decision } from "./decision.js";
import type { JsonMatcher } from "./json-pattern.js";
import type { Access } from "./selector.js";

/** A selector ready to match: its claims substituted, its tag as a canonical key, its pattern compiled. */
export interface CompiledSelector {
  /** Where it is in the policy, e.g. `rules[2].deny.observe[0]`. */
  readonly path: string;
  /** Every object (`{ any: true }`, or a deny that refers to a claim the principal lacks). */
  readonly any: boolean;
  /** The canonical key of the tag objects must carry, if the selector names one. */
  readonly tagKey: string | undefined;
  /** The pattern the object's json must match, if the selector has one. */
  readonly match: JsonMatcher | undefined;
  /** For a deny made to select everything: the claim it refers to that the principal lacks. */
  readonly missingClaim?: string;
}

/**
 * One access (observe or expose) of one rule, ready to answer for objects and tags: its deny and allow
 * selectors sorted by what they look at, so an object is checked against the selectors of its own tags
 * (a map lookup per tag) and the tagless ones, never against the whole rule. Holds no principal, so
 * one serves every link its rule applies to when the rule refers to no claim.
 */
export class AccessGrant {
  private readonly allowAny: boolean;
  private readonly allowByTag = new Map<string, CompiledSelector[]>();
  private readonly allowByObject: CompiledSelector[] = [];
  private readonly denyAny: CompiledSelector | undefined;
  private readonly denyByTag = new Map<string, CompiledSelector[]>();
  private readonly denyByObject: CompiledSelector[] = [];

  /** Whether it allows every object and tag. */
  readonly everything: boolean;

  /**
   * `rule` is the deciding rule's path; `granted` what a missing grant is named (`rules[2].observe`).
   * With `refusal` it allows nothing, whatever the selectors, and says why.
   */
  constructor(
    readonly access: Access,
    private readonly rule: string | undefined,
    private readonly granted: string,
    allow: readonly CompiledSelector[],
    deny: readonly CompiledSelector[],
    private readonly refusal?: { readonly cause: DenialCause; readonly detail?: string },
  ) {
    this.allowAny = allow.some((selector) => selector.any);
    this.denyAny = deny.find((selector) => selector.any);
    for (const selector of allow) if (!selector.any) sortInto(selector, this.allowByTag, this.allowByObject);
    for (const selector of deny) if (!selector.any) sortInto(selector, this.denyByTag, this.denyByObject);
    this.everything = refusal === undefined && this.allowAny && deny.length === 0;
  }

  /** Whether the link `who` may have `descriptor` under this access. */
  decide(descriptor: ObjectDescriptor, who: string): Decision {
    if (this.everything) return ALLOWED;
    if (this.refusal !== undefined) return this.refuse(descriptor, who);
    const denying = this.denying(descriptor);
    if (denying !== undefined) return this.deny(descriptor, who, denying);
    if (this.allowAny || firstMatch(descriptor, this.allowByTag, this.allowByObject) !== undefined) return ALLOWED;
    return new Denial(this.access, descriptor, who, this.rule, this.granted, "not-granted");
  }

  /**
   * Whether the link `who` may have an interest in `tag` under this access: denied when a deny selects
   * every object of the tag; allowed when some allow selector may select objects of it (then each object
   * is still decided on its own, so a tag interest can be allowed while some of its objects are not).
   */
  decideTag(tag: TagDescriptor, who: string): Decision {
    if (this.everything) return ALLOWED;
    if (this.refusal !== undefined) return this.refuse(tag, who);
    const denying = this.denyAny ?? this.denyByTag.get(tag.key)?.find((selector) => selector.match === undefined);
    if (denying !== undefined) return this.deny(tag, who, denying);
    if (this.allowAny || this.allowByObject.length > 0 || this.allowByTag.has(tag.key)) return ALLOWED;
    return new Denial(this.access, tag, who, this.rule, this.granted, "not-granted");
  }

  private denying(descriptor: ObjectDescriptor): CompiledSelector | undefined {
    return this.denyAny ?? firstMatch(descriptor, this.denyByTag, this.denyByObject);
  }

  private deny(subject: ObjectDescriptor | TagDescriptor, who: string, selector: CompiledSelector): Denial {
    return selector.missingClaim === undefined
      ? new Denial(this.access, subject, who, this.rule, selector.path, "denied")
      : new Denial(this.access, subject, who, this.rule, selector.path, "unresolved-claim", selector.missingClaim);
  }

  private refuse(subject: ObjectDescriptor | TagDescriptor, who: string): Denial {
    return new Denial(this.access, subject, who, this.rule, this.granted, this.refusal!.cause, this.refusal!.detail);
  }
}

function sortInto(selector: CompiledSelector, byTag: Map<string, CompiledSelector[]>, byObject: CompiledSelector[]): void {
  if (selector.tagKey === undefined) {
    byObject.push(selector);
    return;
  }
  const list = byTag.get(selector.tagKey);
  if (list === undefined) byTag.set(selector.tagKey, [selector]);
  else list.push(selector);
}

/** The first selector (of the descriptor's tags, then the tagless ones) that selects `descriptor`. */
function firstMatch(
  descriptor: ObjectDescriptor,
  byTag: ReadonlyMap<string, readonly CompiledSelector[]>,
  byObject: readonly CompiledSelector[],
): CompiledSelector | undefined {
  const json: JsonValue = descriptor.json;
  if (byTag.size > 0) {
    const tags = descriptor.tags;
    for (let i = 0; i < tags.length; i++) {
      const list = byTag.get(tags[i]!.key);
      if (list === undefined) continue;
      for (let j = 0; j < list.length; j++) {
        const selector = list[j]!;
        if (selector.match === undefined || selector.match(json)) return selector;
      }
    }
  }
  for (let i = 0; i < byObject.length; i++) if (byObject[i]!.match!(json)) return byObject[i];
  return undefined;
}
