import type { ObjectDescriptor } from "../descriptor/object-descriptor.js";
import type { TagDescriptor } from "../descriptor/tag-descriptor.js";
import { AccessGrant } from "./access-grant.js";
import type { ClaimLookup } from "./claim-reference.js";
import { accessGrant, compiledPolicyOf } from "./compiled-policy.js";
import type { Decision } from "./decision.js";
import { isoTime } from "./iso-time.js";
import type { Policy } from "./policy.js";
import { type Principal, principalExpiresAt, principalOf } from "./principal.js";
import type { Quota } from "./quota.js";
import type { Access } from "./selector.js";

/**
 * What one link may do, compiled for its principal: a parent asks it on every Open, interest and
 * announcement, so answers cost a few map lookups and pattern checks and allocate nothing when they
 * allow. Grants do not change: when the policy changes, or the principal expires or re-authenticates,
 * the link takes new grants from grantsFor.
 */
export interface LinkGrants {
  /** The link's principal (a frozen copy); undefined for a link that did not authenticate. */
  readonly principal: Principal | undefined;
  /** The rule that decides for this link (`rules[2]`, with its name if it has one); undefined without a policy or when no rule applies. */
  readonly rule: string | undefined;
  /** The deciding rule's quota (its `limits`); undefined when unbounded. */
  readonly quota: Quota | undefined;
  /**
   * When the principal expires (milliseconds since the epoch, from its `exp` claim): the link must
   * then take new grants from grantsFor, which allow nothing until the principal is refreshed.
   */
  readonly expiresAt: number | undefined;
  /** Whether every answer is "allowed" (no policy, or a rule granting everything and denying nothing), so a link may skip asking. */
  readonly allowsEverything: boolean;
  /** Whether the link may observe the object (its observers get its states and announcements). */
  observe(descriptor: ObjectDescriptor): Decision;
  /** Whether the link may expose the object (be elected as its exposer and publish its states). */
  expose(descriptor: ObjectDescriptor): Decision;
  /**
   * Whether the link may observe or expose the tag: allowed when some objects of the tag may be, and
   * then each object is still decided by observe() or expose().
   */
  tag(tag: TagDescriptor, access: Access): Decision;
}

/**
 * The grants of a link whose principal is `principal` (undefined: the link did not authenticate) under
 * `policy`, at time `now` (milliseconds since the epoch). The first rule whose `principal` matches
 * decides; inside it, deny beats allow; no rule matching allows nothing; no policy at all allows
 * everything (a trusted network). A principal past its expiry holds no grants, policy or not.
 * Throws PolicyError when `policy` does not validate (pass one from parsePolicy to compile it once)
 * and InvalidPrincipalError when `principal` is not one.
 */
export function grantsFor(policy: Policy | undefined, principal: Principal | undefined, now: number = Date.now()): LinkGrants {
  const compiledPolicy = policy === undefined ? undefined : compiledPolicyOf(policy);
  const held = principal === undefined ? undefined : principalOf(principal);
  const who = held === undefined ? "an unauthenticated link" : `principal ${JSON.stringify(held.id)}`;
  const expiresAt = held === undefined ? undefined : principalExpiresAt(held);
  if (expiresAt !== undefined && now >= expiresAt) {
    const refusal = { cause: "expired" as const, detail: isoTime(expiresAt) };
    return new Grants(held, who, undefined, undefined, expiresAt, refused("observe", refusal), refused("expose", refusal));
  }
  if (compiledPolicy === undefined) return new Grants(held, who, undefined, undefined, expiresAt, EVERYTHING.observe, EVERYTHING.expose);
  for (const rule of compiledPolicy.rules) {
    if (rule.principal !== undefined && (held === undefined || !rule.principal(held))) continue;
    const { observe, expose } = rule.shared ?? {
      observe: accessGrant(rule.observe, rule.path, claimsOf(held)),
      expose: accessGrant(rule.expose, rule.path, claimsOf(held)),
    };
    return new Grants(held, who, rule.path, rule.quota, expiresAt, observe, expose);
  }
  const refusal = { cause: "no-rule" as const };
  return new Grants(held, who, undefined, undefined, expiresAt, refused("observe", refusal), refused("expose", refusal));
}

const EVERYTHING = {
  observe: new AccessGrant("observe", undefined, "policy", [{ path: "policy", any: true, tagKey: undefined, match: undefined }], []),
  expose: new AccessGrant("expose", undefined, "policy", [{ path: "policy", any: true, tagKey: undefined, match: undefined }], []),
};

function refused(access: Access, refusal: ConstructorParameters<typeof AccessGrant>[5]): AccessGrant {
  return new AccessGrant(access, undefined, refusal?.cause === "expired" ? "exp" : "policy", [], [], refusal);
}

function claimsOf(principal: Principal | undefined): ClaimLookup {
  if (principal === undefined) return () => undefined;
  return (name) => (Object.hasOwn(principal, name) ? principal[name] : undefined);
}

class Grants implements LinkGrants {
  readonly allowsEverything: boolean;

  constructor(
    readonly principal: Principal | undefined,
    private readonly who: string,
    readonly rule: string | undefined,
    readonly quota: Quota | undefined,
    readonly expiresAt: number | undefined,
    private readonly observeGrant: AccessGrant,
    private readonly exposeGrant: AccessGrant,
  ) {
    this.allowsEverything = observeGrant.everything && exposeGrant.everything;
  }

  observe(descriptor: ObjectDescriptor): Decision {
    return this.observeGrant.decide(descriptor, this.who);
  }

  expose(descriptor: ObjectDescriptor): Decision {
    return this.exposeGrant.decide(descriptor, this.who);
  }

  tag(tag: TagDescriptor, access: Access): Decision {
    return (access === "observe" ? this.observeGrant : this.exposeGrant).decideTag(tag, this.who);
  }
}
