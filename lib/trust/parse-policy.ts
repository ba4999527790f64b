import { canonicalCopyOf } from "../descriptor/canonical-json.js";
import { DEFAULT_DESCRIPTOR_LIMITS } from "../descriptor/descriptor-limits.js";
import { InvalidJsonError } from "../descriptor/invalid-json-error.js";
import { assertJsonValue, type JsonLimits, type JsonValue } from "../descriptor/json-value.js";
import { shortText } from "../descriptor/short-text.js";
import { CLAIM_KEY } from "./claim-reference.js";
import type { Policy, PolicyRule } from "./policy.js";
import { PolicyError } from "./policy-error.js";
import type { Quota } from "./quota.js";
import type { Selector } from "./selector.js";

/**
 * Bounds on a policy as a whole, since policies come from files and the network: 1 MiB of JSON, and
 * deep enough for the policy's own structure (6 levels down to a selector's value) around values that
 * are themselves held to the descriptor limits (32 levels, 16 KiB each).
 */
export const POLICY_LIMITS: JsonLimits = Object.freeze({ maxDepth: DEFAULT_DESCRIPTOR_LIMITS.maxDepth + 6, maxLength: 1024 * 1024 });

/** Longest rule name accepted (names appear in log lines and audit events). */
const MAX_NAME_LENGTH = 100;

/** Policies parsePolicy made: deep-frozen and valid, so they can be compiled once and trusted as they are. */
const parsed = new WeakSet<Policy>();

/** Whether `policy` came from parsePolicy (so it is valid and cannot change). */
export function isParsedPolicy(policy: Policy): boolean {
  return parsed.has(policy);
}

/**
 * Parses a policy's JSON text (e.g. a policy file) with parsePolicy; text longer than POLICY_LIMITS
 * allows, or that is not JSON, throws PolicyError at `policy` saying where the text breaks.
 */
export function parsePolicyText(text: string): Policy {
  if (text.length > POLICY_LIMITS.maxLength) {
    throw new PolicyError("policy", `${text.length} characters of text, more than ${POLICY_LIMITS.maxLength}; split what it grants among fewer, broader selectors`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new PolicyError("policy", `is not JSON (${error instanceof Error ? error.message : String(error)}); fix the syntax`, { cause: error });
  }
  return parsePolicy(json);
}

/**
 * Checks untrusted `json` (from a file, the network, a program) in full and returns it as a
 * deep-frozen Policy: only known keys, the right types, no empty selectors, well-formed claim
 * references, JSON within POLICY_LIMITS and every selector value within the descriptor limits. Throws
 * a PolicyError naming the place (`rules[2].observe[0]: …`) and what to do; never returns a policy
 * it has not fully understood.
 */
export function parsePolicy(json: unknown): Policy {
  try {
    assertJsonValue(json, POLICY_LIMITS);
  } catch (error) {
    throw asPolicyError(error);
  }
  const root = plainObject(json, "policy", `a policy is an object {"rules": [...]}`);
  onlyKeys(root, "policy", POLICY_KEYS);
  if (!Object.hasOwn(root, "rules")) throw new PolicyError("policy", `has no "rules": give {"rules": [...]} (an empty list allows nothing)`);
  const rules = array(root["rules"]!, "rules");
  const policy: Policy = Object.freeze({ rules: Object.freeze(rules.map((rule, i) => parseRule(rule, `rules[${i}]`))) });
  parsed.add(policy);
  return policy;
}

const POLICY_KEYS = ["rules"];
const RULE_KEYS = ["name", "principal", "observe", "expose", "deny", "limits"];
const DENY_KEYS = ["observe", "expose"];
const SELECTOR_KEYS = ["tag", "object", "any"];
const QUOTA_KEYS = ["objects", "tags", "bytesPerSecond"];

function parseRule(json: JsonValue, path: string): PolicyRule {
  const rule = plainObject(json, path, `a rule is an object such as {"principal": {"role": "reader"}, "observe": [{"tag": "news"}]}`);
  onlyKeys(rule, path, RULE_KEYS);
  const parsedRule: { -readonly [K in keyof PolicyRule]: PolicyRule[K] } = {};
  if (Object.hasOwn(rule, "name")) parsedRule.name = parseName(rule["name"]!, `${path}.name`);
  if (Object.hasOwn(rule, "principal")) parsedRule.principal = parsePrincipal(rule["principal"]!, `${path}.principal`);
  if (Object.hasOwn(rule, "observe")) parsedRule.observe = parseSelectors(rule["observe"]!, `${path}.observe`);
  if (Object.hasOwn(rule, "expose")) parsedRule.expose = parseSelectors(rule["expose"]!, `${path}.expose`);
  if (Object.hasOwn(rule, "deny")) {
    const denyPath = `${path}.deny`;
    const deny = plainObject(rule["deny"]!, denyPath, `"deny" is an object {"observe": [...], "expose": [...]}`);
    onlyKeys(deny, denyPath, DENY_KEYS);
    const parsedDeny: { observe?: readonly Selector[]; expose?: readonly Selector[] } = {};
    if (Object.hasOwn(deny, "observe")) parsedDeny.observe = parseSelectors(deny["observe"]!, `${denyPath}.observe`);
    if (Object.hasOwn(deny, "expose")) parsedDeny.expose = parseSelectors(deny["expose"]!, `${denyPath}.expose`);
    parsedRule.deny = Object.freeze(parsedDeny);
  }
  if (Object.hasOwn(rule, "limits")) parsedRule.limits = parseQuota(rule["limits"]!, `${path}.limits`);
  return Object.freeze(parsedRule);
}

function parseName(json: JsonValue, path: string): string {
  if (typeof json !== "string" || json.trim() === "" || json.length > MAX_NAME_LENGTH) {
    throw new PolicyError(path, `a rule's name is a non-empty string of at most ${MAX_NAME_LENGTH} characters; got ${describe(json)}`);
  }
  return json;
}

function parsePrincipal(json: JsonValue, path: string): { readonly [claim: string]: JsonValue } {
  const principal = plainObject(json, path, `"principal" is an object of claims to match, such as {"role": "admin"}`);
  if (Object.keys(principal).length === 0) {
    throw new PolicyError(path, `an empty "principal" matches every link; leave "principal" out to say so`);
  }
  const claimAt = findClaimKey(principal, path);
  if (claimAt !== undefined) {
    throw new PolicyError(claimAt, `claim references belong in selectors; "principal" lists the claim values a link's principal must have`);
  }
  return jsonCopy(principal, path) as { readonly [claim: string]: JsonValue };
}

function parseSelectors(json: JsonValue, path: string): readonly Selector[] {
  return Object.freeze(array(json, path).map((selector, i) => parseSelector(selector, `${path}[${i}]`)));
}

function parseSelector(json: JsonValue, path: string): Selector {
  const selector = plainObject(json, path, `a selector is {"tag": T}, {"object": P}, both, or {"any": true}`);
  onlyKeys(selector, path, SELECTOR_KEYS);
  const hasTag = Object.hasOwn(selector, "tag");
  const hasObject = Object.hasOwn(selector, "object");
  if (Object.hasOwn(selector, "any")) {
    if (selector["any"] !== true) throw new PolicyError(`${path}.any`, `"any" can only be true (every object); got ${describe(selector["any"]!)}`);
    if (hasTag || hasObject) throw new PolicyError(path, `{"any": true} selects every object and takes no "tag" or "object"; remove them or "any"`);
    return ANY;
  }
  if (!hasTag && !hasObject) {
    throw new PolicyError(path, `an empty selector selects nothing; give "tag", "object" or both (e.g. {"tag": "chat"}), or {"any": true} for every object`);
  }
  const parsedSelector: { tag?: JsonValue; object?: JsonValue } = {};
  if (hasTag) parsedSelector.tag = selectorValue(selector["tag"]!, `${path}.tag`);
  if (hasObject) {
    const object = selector["object"]!;
    if (typeof object === "object" && object !== null && !Array.isArray(object) && Object.keys(object).length === 0) {
      throw new PolicyError(`${path}.object`, `an empty pattern {} selects every object whose json is an object; list the keys to match, or use {"any": true}`);
    }
    parsedSelector.object = selectorValue(object, `${path}.object`);
  }
  return Object.freeze(parsedSelector) as Selector;
}

const ANY: Selector = Object.freeze({ any: true });

/** A selector's tag or pattern: well-formed claim references, within the descriptor limits; a frozen copy. */
function selectorValue(json: JsonValue, path: string): JsonValue {
  checkClaimReferences(json, path);
  return jsonCopy(json, path);
}

function checkClaimReferences(json: JsonValue, path: string): void {
  if (typeof json !== "object" || json === null) return;
  if (Array.isArray(json)) {
    (json as readonly JsonValue[]).forEach((item, i) => checkClaimReferences(item, `${path}[${i}]`));
    return;
  }
  const object = json as { readonly [key: string]: JsonValue };
  if (Object.hasOwn(object, CLAIM_KEY)) {
    const others = Object.keys(object).filter((key) => key !== CLAIM_KEY);
    if (others.length > 0) {
      throw new PolicyError(path, `a claim reference is an object with the single key "${CLAIM_KEY}", such as {"${CLAIM_KEY}": "id"}; this one also has ${others.map((key) => JSON.stringify(key)).join(", ")}`);
    }
    const name = object[CLAIM_KEY]!;
    if (typeof name !== "string" || name === "") {
      throw new PolicyError(at(path, CLAIM_KEY), `a claim reference names a claim of the principal, as a non-empty string such as "id" or "team"; got ${describe(name)}`);
    }
    return;
  }
  for (const key of Object.keys(object)) checkClaimReferences(object[key]!, at(path, key));
}

/** The path of the first `$claim` key inside `json`, if any. */
function findClaimKey(json: JsonValue, path: string): string | undefined {
  if (typeof json !== "object" || json === null) return undefined;
  if (Array.isArray(json)) {
    const items = json as readonly JsonValue[];
    for (let i = 0; i < items.length; i++) {
      const found = findClaimKey(items[i]!, `${path}[${i}]`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  const object = json as { readonly [key: string]: JsonValue };
  for (const key of Object.keys(object)) {
    if (key === CLAIM_KEY) return at(path, key);
    const found = findClaimKey(object[key]!, at(path, key));
    if (found !== undefined) return found;
  }
  return undefined;
}

function parseQuota(json: JsonValue, path: string): Quota {
  const quota = plainObject(json, path, `"limits" is an object such as {"objects": 1000, "tags": 10, "bytesPerSecond": 1000000}`);
  onlyKeys(quota, path, QUOTA_KEYS);
  const parsedQuota: { -readonly [K in keyof Quota]: Quota[K] } = {};
  for (const key of QUOTA_KEYS as (keyof Quota)[]) {
    if (!Object.hasOwn(quota, key)) continue;
    const value = quota[key]!;
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
      throw new PolicyError(`${path}.${key}`, `a limit is a whole number from 0 up (leave it out for no limit); got ${describe(value)}`);
    }
    parsedQuota[key] = value;
  }
  return Object.freeze(parsedQuota);
}

/** A deep-frozen copy of a value held to the descriptor limits. */
function jsonCopy(json: JsonValue, path: string): JsonValue {
  try {
    return canonicalCopyOf(json, DEFAULT_DESCRIPTOR_LIMITS, "$").value;
  } catch (error) {
    throw asPolicyError(error, path);
  }
}

function plainObject(json: unknown, path: string, expected: string): { readonly [key: string]: JsonValue } {
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw new PolicyError(path, `${expected}; got ${describe(json as JsonValue)}`);
  return json as { readonly [key: string]: JsonValue };
}

function array(json: JsonValue, path: string): readonly JsonValue[] {
  if (!Array.isArray(json)) throw new PolicyError(path, `expected a list [...]; got ${describe(json)}`);
  return json as readonly JsonValue[];
}

function onlyKeys(object: { readonly [key: string]: JsonValue }, path: string, known: readonly string[]): void {
  for (const key of Object.keys(object)) {
    if (!known.includes(key)) {
      throw new PolicyError(at(path, key), `unknown key; the keys allowed here are ${known.map((name) => JSON.stringify(name)).join(", ")}`);
    }
  }
}

/** An InvalidJsonError (whose path starts at `$`) as the PolicyError at the same place under `root`. */
function asPolicyError(error: unknown, root?: string): unknown {
  if (!(error instanceof InvalidJsonError)) return error;
  const rest = error.path.slice(1);
  const path = root === undefined ? (rest === "" ? "policy" : rest.replace(/^\./, "")) : root + rest;
  return new PolicyError(path, error.problem, { cause: error });
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `path` extended by an object key, as `a.key` or `a["odd key"]`. */
function at(path: string, key: string): string {
  return IDENTIFIER.test(key) ? `${path}.${key}` : `${path}[${shortText(JSON.stringify(key), 40)}]`;
}

function describe(json: JsonValue): string {
  if (json === null) return "null";
  if (Array.isArray(json)) return `the list ${shortText(JSON.stringify(json), 40)}`;
  if (typeof json === "object") return `the object ${shortText(JSON.stringify(json), 40)}`;
  return `${typeof json} ${shortText(JSON.stringify(json), 40)}`;
}
