import type { JsonValue } from "../descriptor/json-value.js";
import type { Quota } from "./quota.js";
import type { Selector } from "./selector.js";

/**
 * What each link may do, decided by the parent for each child link. The first rule whose `principal`
 * matches the link's principal decides; inside it, deny beats allow; when no rule matches, nothing is
 * allowed. A listener without a policy allows everything (a trusted network). Build one with
 * `parsePolicy`, which checks everything and compiles it once.
 */
export interface Policy {
  readonly rules: readonly PolicyRule[];
}

/** One rule of a policy: whom it applies to, what it grants and denies them, and their links' quota. */
export interface PolicyRule {
  /** A name for logs and audit events; rules are otherwise named by position (`rules[2]`). */
  readonly name?: string;
  /**
   * The principals it applies to: those with every listed claim matching (a claim value that is an
   * object matches as an object selector's pattern does, anything else by equality). Absent: every
   * link, unauthenticated ones included.
   */
  readonly principal?: { readonly [claim: string]: JsonValue };
  /** Objects it may observe, directly or through a tag. */
  readonly observe?: readonly Selector[];
  /** Objects it may expose (be elected for) and publish states of. */
  readonly expose?: readonly Selector[];
  /** Objects it may not observe or expose even where `observe` or `expose` would allow it. */
  readonly deny?: { readonly observe?: readonly Selector[]; readonly expose?: readonly Selector[] };
  /** Bounds on what each of its principals' links may do. */
  readonly limits?: Quota;
}
