import { canonicalJson } from "../descriptor/canonical-json.js";
import { AccessGrant, type CompiledSelector } from "./access-grant.js";
import { claimsIn, withClaims, type ClaimLookup } from "./claim-reference.js";
import { patternMatcher, type JsonMatcher } from "./json-pattern.js";
import { isParsedPolicy, parsePolicy } from "./parse-policy.js";
import type { Policy, PolicyRule } from "./policy.js";
import type { Quota } from "./quota.js";
import type { Access, Selector } from "./selector.js";

/** A selector of the policy with the names of the claims it refers to. */
interface SelectorTemplate {
  readonly path: string;
  readonly selector: Selector;
  readonly claims: readonly string[];
}

/** One access of one rule before the principal is known. */
interface AccessTemplate {
  readonly access: Access;
  /** How a missing grant of this access is named, e.g. `rules[2].observe`. */
  readonly granted: string;
  readonly allow: readonly SelectorTemplate[];
  readonly deny: readonly SelectorTemplate[];
}

/** A rule compiled as far as it can be without a principal. */
export interface CompiledRule {
  /** `rules[2]`, or `rules[2] ("editors")` when the rule has a name. */
  readonly path: string;
  /** Matches the principals the rule applies to; undefined: every link. */
  readonly principal: JsonMatcher | undefined;
  readonly quota: Quota | undefined;
  /** Both accesses compiled once, when the rule refers to no claim (then every link shares them). */
  readonly shared: { readonly observe: AccessGrant; readonly expose: AccessGrant } | undefined;
  readonly observe: AccessTemplate;
  readonly expose: AccessTemplate;
}

/** A policy compiled once: what grantsFor works from. */
export interface CompiledPolicy {
  readonly rules: readonly CompiledRule[];
}

const compiled = new WeakMap<Policy, CompiledPolicy>();

/**
 * The compiled form of `policy`, made once per policy parsePolicy returned. Any other object is
 * validated by parsePolicy first (throwing PolicyError) and compiled anew each time, since it may change.
 */
export function compiledPolicyOf(policy: Policy): CompiledPolicy {
  if (!isParsedPolicy(policy)) return compilePolicy(parsePolicy(policy));
  let result = compiled.get(policy);
  if (result === undefined) compiled.set(policy, (result = compilePolicy(policy)));
  return result;
}

function compilePolicy(policy: Policy): CompiledPolicy {
  return { rules: policy.rules.map(compileRule) };
}

function compileRule(rule: PolicyRule, index: number): CompiledRule {
  const base = `rules[${index}]`;
  const path = rule.name === undefined ? base : `${base} (${JSON.stringify(rule.name)})`;
  const observe = accessTemplate("observe", base, rule.observe, rule.deny?.observe);
  const expose = accessTemplate("expose", base, rule.expose, rule.deny?.expose);
  const claimFree = [observe, expose].every((template) => [...template.allow, ...template.deny].every((selector) => selector.claims.length === 0));
  return {
    path,
    principal: rule.principal === undefined ? undefined : patternMatcher(rule.principal),
    quota: rule.limits,
    shared: claimFree ? { observe: accessGrant(observe, path, noClaims), expose: accessGrant(expose, path, noClaims) } : undefined,
    observe,
    expose,
  };
}

function accessTemplate(access: Access, base: string, allow: readonly Selector[] = [], deny: readonly Selector[] = []): AccessTemplate {
  const template = (prefix: string) => (selector: Selector, i: number): SelectorTemplate => ({
    path: `${prefix}[${i}]`,
    selector,
    claims: "any" in selector ? [] : claimsIn(selector.object ?? null, claimsIn(selector.tag ?? null)),
  });
  return {
    access,
    granted: `${base}.${access}`,
    allow: allow.map(template(`${base}.${access}`)),
    deny: deny.map(template(`${base}.deny.${access}`)),
  };
}

const noClaims: ClaimLookup = () => undefined;

/**
 * One access of `rule` (named `rulePath` in reasons) for a principal whose claims `claim` looks up.
 * An allow selector that refers to a claim the principal lacks selects nothing; a deny selector that
 * does selects everything (never fail open).
 */
export function accessGrant(template: AccessTemplate, rulePath: string, claim: ClaimLookup): AccessGrant {
  const allow: CompiledSelector[] = [];
  for (const selector of template.allow) {
    if (selector.claims.every((name) => claim(name) !== undefined)) allow.push(compileSelector(selector, claim));
  }
  const deny: CompiledSelector[] = [];
  for (const selector of template.deny) {
    const missing = selector.claims.find((name) => claim(name) === undefined);
    deny.push(
      missing === undefined
        ? compileSelector(selector, claim)
        : { path: selector.path, any: true, tagKey: undefined, match: undefined, missingClaim: missing },
    );
  }
  return new AccessGrant(template.access, rulePath, template.granted, allow, deny);
}

function compileSelector(template: SelectorTemplate, claim: ClaimLookup): CompiledSelector {
  const selector = template.selector;
  if ("any" in selector) return { path: template.path, any: true, tagKey: undefined, match: undefined };
  return {
    path: template.path,
    any: false,
    tagKey: selector.tag === undefined ? undefined : canonicalJson(withClaims(selector.tag, claim)),
    match: selector.object === undefined ? undefined : patternMatcher(selector.object, claim),
  };
}
