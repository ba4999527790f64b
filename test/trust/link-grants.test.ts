import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalJson } from "../../lib/descriptor/canonical-json.js";
import type { JsonValue } from "../../lib/descriptor/json-value.js";
import { ObjectDescriptor } from "../../lib/descriptor/object-descriptor.js";
import { TagDescriptor } from "../../lib/descriptor/tag-descriptor.js";
import type { Denied } from "../../lib/trust/decision.js";
import { InvalidPrincipalError } from "../../lib/trust/invalid-principal-error.js";
import { grantsFor } from "../../lib/trust/link-grants.js";
import { parsePolicy, parsePolicyText } from "../../lib/trust/parse-policy.js";
import type { Policy, PolicyRule } from "../../lib/trust/policy.js";
import type { Principal } from "../../lib/trust/principal.js";
import type { Access, Selector } from "../../lib/trust/selector.js";

const object = (json: JsonValue, ...tags: JsonValue[]) => new ObjectDescriptor(tags, json);
const tag = (json: JsonValue) => new TagDescriptor(json);

/** The Denied answer, failing the test when the answer allows. */
function denied(decision: { allowed: boolean }): Denied {
  expect(decision.allowed).toBe(false);
  return decision as Denied;
}

describe("grantsFor", () => {
  const policy = parsePolicy({
    rules: [
      { name: "admins", principal: { role: "admin" }, observe: [{ any: true }], expose: [{ any: true }] },
      {
        principal: { role: "member" },
        observe: [{ tag: "news" }, { object: { owner: { $claim: "id" } } }],
        expose: [{ tag: { user: { $claim: "id" } } }],
        deny: { observe: [{ tag: "news", object: { draft: true } }], expose: [{ object: { locked: true } }] },
        limits: { objects: 100, bytesPerSecond: 5000 },
      },
      { observe: [{ tag: "public" }] },
    ],
  });
  const alice: Principal = { id: "alice", role: "member" };

  it("takes the first rule whose principal matches, with its quota", () => {
    const grants = grantsFor(policy, alice);
    expect(grants.rule).toBe("rules[1]");
    expect(grants.quota).toEqual({ objects: 100, bytesPerSecond: 5000 });
    expect(grantsFor(policy, { id: "root", role: "admin" }).rule).toBe('rules[0] ("admins")');
    expect(grantsFor(policy, { id: "bob" }).rule).toBe("rules[2]");
    expect(grantsFor(policy, undefined).rule).toBe("rules[2]");
  });

  it("allows what a selector of the rule selects: by tag, by pattern, with claims", () => {
    const grants = grantsFor(policy, alice);
    expect(grants.observe(object({ id: 1 }, "news"))).toEqual({ allowed: true });
    expect(grants.observe(object({ owner: "alice", note: 3 }))).toEqual({ allowed: true });
    expect(grants.expose(object({ id: 1 }, { user: "alice" }, "other"))).toEqual({ allowed: true });
    expect(grants.expose(object({ id: 1 }, { user: "bob" })).allowed).toBe(false);
    expect(grants.observe(object({ owner: "bob" })).allowed).toBe(false);
  });

  it("denies what a deny selector of the rule selects, even where an allow selects it too", () => {
    const grants = grantsFor(policy, alice);
    const reason = denied(grants.observe(object({ id: 1, draft: true }, "news")));
    expect(reason).toMatchObject({ access: "observe", rule: "rules[1]", grant: "rules[1].deny.observe[0]" });
    expect(reason.reason).toBe('principal "alice" may not observe {"draft":true,"id":1} #"news": denied by rules[1].deny.observe[0]');
    expect(grants.observe(object({ id: 1, draft: false }, "news")).allowed).toBe(true);
    expect(denied(grants.expose(object({ locked: true }, { user: "alice" }))).grant).toBe("rules[1].deny.expose[0]");
  });

  it("says which grant is missing, naming the principal, the access and the object", () => {
    const missing = denied(grantsFor(policy, alice).expose(object({ id: 2 }, "news")));
    expect(missing).toMatchObject({ access: "expose", rule: "rules[1]", grant: "rules[1].expose" });
    expect(missing.reason).toBe('principal "alice" may not expose {"id":2} #"news": no selector of rules[1].expose selects it (add one there to grant it)');
    expect(JSON.parse(JSON.stringify(missing))).toEqual({ allowed: false, access: "expose", rule: "rules[1]", grant: "rules[1].expose", reason: missing.reason });
    const anonymous = denied(grantsFor(policy, undefined).observe(object(1, "news")));
    expect(anonymous.reason).toMatch(/^an unauthenticated link may not observe 1 #"news": no selector of rules\[2\]\.observe/);
  });

  it("allows nothing when no rule applies, and says so", () => {
    const strict = parsePolicy({ rules: [{ principal: { role: "admin" }, observe: [{ any: true }] }] });
    const grants = grantsFor(strict, { id: "eve" });
    expect(grants.rule).toBeUndefined();
    expect(grants.allowsEverything).toBe(false);
    const no = denied(grants.observe(object(1)));
    expect(no).toMatchObject({ rule: undefined, grant: "policy" });
    expect(no.reason).toMatch(/^principal "eve" may not observe 1: no rule of the policy applies to this principal/);
    expect(denied(grants.tag(tag("x"), "expose")).reason).toMatch(/^principal "eve" may not expose objects tagged #"x": no rule/);
    expect(grantsFor(parsePolicy({ rules: [] }), { id: "eve" }).observe(object(1)).allowed).toBe(false);
  });

  it("allows everything without a policy, for anyone, until the principal expires", () => {
    for (const principal of [undefined, alice]) {
      const grants = grantsFor(undefined, principal);
      expect(grants.allowsEverything).toBe(true);
      expect(grants.observe(object(1)).allowed && grants.expose(object(1)).allowed && grants.tag(tag(1), "observe").allowed).toBe(true);
    }
  });

  it("a principal holds nothing from its exp on, policy or not, and the grants say when that is", () => {
    const expiring = { id: "alice", role: "member", exp: 2_000_000_000 };
    const before = grantsFor(undefined, expiring, 1_999_999_999_999);
    expect(before.expiresAt).toBe(2_000_000_000_000);
    expect(before.observe(object(1)).allowed).toBe(true);
    for (const p of [undefined, policy]) {
      const after = grantsFor(p, expiring, 2_000_000_000_000);
      expect(after.allowsEverything).toBe(false);
      const no = denied(after.observe(object({ owner: "alice" })));
      expect(no).toMatchObject({ rule: undefined, grant: "exp" });
      expect(no.reason).toBe('principal "alice" may not observe {"owner":"alice"}: its credentials expired at 2033-05-18T03:33:20.000Z; refresh the token or reconnect with a fresh one');
      expect(after.tag(tag("news"), "observe").allowed).toBe(false);
      expect(after.expose(object(1)).allowed).toBe(false);
    }
    expect(grantsFor(undefined, { id: "x", exp: -1e300 }).observe(object(1)).allowed).toBe(false);
  });

  it("an allow selector that refers to a claim the principal lacks selects nothing; such a deny selects everything", () => {
    const claims = parsePolicy({
      rules: [
        {
          observe: [{ object: { team: { $claim: "team" } } }, { tag: "open" }],
          expose: [{ any: true }],
          deny: { expose: [{ object: { team: { $claim: "team" } } }] },
        },
      ],
    });
    const withTeam = grantsFor(claims, { id: "a", team: "red" });
    expect(withTeam.observe(object({ team: "red" })).allowed).toBe(true);
    expect(withTeam.expose(object({ team: "blue" })).allowed).toBe(true);
    expect(withTeam.expose(object({ team: "red" })).allowed).toBe(false);
    const without = grantsFor(claims, { id: "b" });
    expect(without.observe(object({ team: "red" })).allowed).toBe(false);
    expect(without.observe(object({ x: 1 }, "open")).allowed).toBe(true);
    const no = denied(without.expose(object({ team: "blue" })));
    expect(no.grant).toBe("rules[0].deny.expose[0]");
    expect(no.reason).toMatch(/refers to the claim "team" the principal does not have \(a deny that cannot be evaluated denies everything\)$/);
    expect(denied(grantsFor(claims, undefined).expose(object(1))).grant).toBe("rules[0].deny.expose[0]");
  });

  it("a claim matches as a whole value, also when it is an object; an object pattern matches a subset", () => {
    const claims = parsePolicy({ rules: [{ observe: [{ object: { org: { $claim: "org" }, kind: { a: 1 } } }] }] });
    const grants = grantsFor(claims, { id: "a", org: { id: 7 } });
    expect(grants.observe(object({ org: { id: 7 }, kind: { a: 1, b: 2 }, extra: true })).allowed).toBe(true);
    expect(grants.observe(object({ org: { id: 7, name: "x" }, kind: { a: 1 } })).allowed).toBe(false);
    expect(grants.observe(object({ org: { id: 7 }, kind: { a: 2 } })).allowed).toBe(false);
    expect(grants.observe(object({ org: { id: 7 } })).allowed).toBe(false);
    expect(grantsFor(claims, { id: "b", org: {} }).observe(object({ org: { id: 7 }, kind: { a: 1 } })).allowed).toBe(false);
  });

  it("an object pattern matches only a plain object's own keys: never an array's indexes, never what objects inherit", () => {
    const indexes = grantsFor(parsePolicy({ rules: [{ observe: [{ object: { "0": "a" } }, { object: { length: 1 } }] }] }), undefined);
    expect(indexes.observe(object({ "0": "a" })).allowed).toBe(true);
    expect(indexes.observe(object(["a"])).allowed).toBe(false);
    const inherited = grantsFor(parsePolicyText('{"rules": [{"observe": [{"object": {"__proto__": {}}}]}]}'), undefined);
    expect(inherited.observe(object({ a: 1 })).allowed).toBe(false);
    expect(inherited.observe(object(JSON.parse('{"__proto__": {"x": 1}}') as JsonValue)).allowed).toBe(true);
  });

  it("claims inside arrays are substituted, and the array then compares as a whole", () => {
    const lists = parsePolicy({ rules: [{ observe: [{ object: { pair: [{ $claim: "id" }, "x"] } }, { tag: ["room", { $claim: "team" }] }] }] });
    const grants = grantsFor(lists, { id: "alice", team: 3 });
    expect(grants.observe(object({ pair: ["alice", "x"] })).allowed).toBe(true);
    expect(grants.observe(object({ pair: ["alice", "x", "y"] })).allowed).toBe(false);
    expect(grants.observe(object({ pair: ["bob", "x"] })).allowed).toBe(false);
    expect(grants.observe(object(1, ["room", 3])).allowed).toBe(true);
    expect(grants.observe(object(1, ["room", 4])).allowed).toBe(false);
  });

  it("a principal matcher matches claims as an object pattern does; unauthenticated links match only rules without one", () => {
    const teams = parsePolicy({ rules: [{ principal: { org: { id: 7 }, roles: ["a", "b"] }, observe: [{ any: true }] }] });
    expect(grantsFor(teams, { id: "x", org: { id: 7, name: "n" }, roles: ["a", "b"] }).rule).toBe("rules[0]");
    expect(grantsFor(teams, { id: "x", org: { id: 7 }, roles: ["a"] }).rule).toBeUndefined();
    expect(grantsFor(teams, { id: "x", org: 7, roles: ["a", "b"] }).rule).toBeUndefined();
    expect(grantsFor(teams, undefined).rule).toBeUndefined();
  });

  it("tag interests: allowed when some objects of the tag may be, denied when a deny takes them all", () => {
    const tags = parsePolicy({
      rules: [
        {
          observe: [{ tag: "news" }, { tag: "chat", object: { room: 1 } }],
          expose: [{ object: { owner: { $claim: "id" } } }],
          deny: { observe: [{ tag: "secret" }, { tag: "news", object: { draft: true } }], expose: [{ tag: "frozen" }] },
        },
      ],
    });
    const grants = grantsFor(tags, { id: "alice" });
    expect(grants.tag(tag("news"), "observe").allowed).toBe(true);
    expect(grants.tag(tag("chat"), "observe").allowed).toBe(true);
    expect(grants.observe(object({ room: 2 }, "chat")).allowed).toBe(false);
    expect(denied(grants.tag(tag("other"), "observe")).reason).toBe(
      'principal "alice" may not observe objects tagged #"other": no selector of rules[0].observe selects it (add one there to grant it)',
    );
    expect(denied(grants.tag(tag("secret"), "observe")).grant).toBe("rules[0].deny.observe[0]");
    expect(grants.tag(tag("anything"), "expose").allowed).toBe(true);
    expect(denied(grants.tag(tag("frozen"), "expose")).grant).toBe("rules[0].deny.expose[0]");
  });

  it("refuses a principal that is not one, and a policy that is not one", () => {
    expect(() => grantsFor(undefined, { id: "" })).toThrow(InvalidPrincipalError);
    expect(() => grantsFor({ rules: [{ observe: [{} as Selector] }] }, undefined)).toThrow(/rules\[0\]\.observe\[0\]/);
  });

  it("an unparsed policy is validated anew on every call, so a later change to it counts", () => {
    const loose: { rules: PolicyRule[] } = { rules: [{ observe: [{ tag: "a" }] }] };
    expect(grantsFor(loose, undefined).observe(object(1, "a")).allowed).toBe(true);
    loose.rules = [{ observe: [{ tag: "b" }] }];
    expect(grantsFor(loose, undefined).observe(object(1, "a")).allowed).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------------
// Properties, against a model written straight from the rules' definition.

const CLAIM_POOL = ["id", "team", "org"] as const;
const claimRef = fc.constantFrom(...CLAIM_POOL).map((name) => ({ $claim: name }));
const scalar = fc.constantFrom<JsonValue>("alice", "bob", "red", 1, 2, true, null);
const value: fc.Arbitrary<JsonValue> = fc.oneof(scalar, fc.constantFrom<JsonValue>({ id: 1 }, { id: 1, x: 2 }, [1, 2], []));
const patternValue: fc.Arbitrary<JsonValue> = fc.oneof(
  { weight: 3, arbitrary: value },
  { weight: 2, arbitrary: claimRef },
  { weight: 1, arbitrary: fc.constantFrom<JsonValue>({ id: 1 }) },
  { weight: 1, arbitrary: fc.tuple(claimRef, scalar) },
);
const KEYS = ["owner", "team", "kind", "n"] as const;
const pattern = fc.dictionary(fc.constantFrom(...KEYS), patternValue, { minKeys: 1, maxKeys: 2 });
const TAGS: JsonValue[] = ["a", "b", { team: "red" }, { team: "bob" }, ["alice", 1], ["red", 1]];
const tagPattern = fc.oneof(fc.constantFrom(...TAGS), fc.record({ team: claimRef }), fc.tuple(claimRef, fc.constant(1)));
const selector: fc.Arbitrary<Selector> = fc.oneof(
  { weight: 3, arbitrary: tagPattern.map((t) => ({ tag: t })) },
  { weight: 3, arbitrary: pattern.map((p) => ({ object: p })) },
  { weight: 2, arbitrary: fc.tuple(tagPattern, pattern).map(([t, p]) => ({ tag: t, object: p })) },
  { weight: 1, arbitrary: fc.constant({ any: true as const }) },
);
const selectors = fc.array(selector, { maxLength: 3 });
const principalMatcher = fc.dictionary(fc.constantFrom("role", "team", "org"), fc.oneof(scalar, fc.constantFrom<JsonValue>({ id: 1 })), { minKeys: 1, maxKeys: 2 });
const rule: fc.Arbitrary<PolicyRule> = fc.record(
  { principal: principalMatcher, observe: selectors, expose: selectors, deny: fc.record({ observe: selectors, expose: selectors }, { requiredKeys: [] }) },
  { requiredKeys: [] },
);
const policy: fc.Arbitrary<Policy> = fc.array(rule, { maxLength: 5 }).map((rules) => ({ rules }));
const principal: fc.Arbitrary<Principal | undefined> = fc.option(
  fc.record(
    { id: fc.constantFrom("alice", "bob"), role: fc.constantFrom("admin", "member"), team: fc.constantFrom<JsonValue>("red", 1), org: fc.constantFrom<JsonValue>({ id: 1 }, 2) },
    { requiredKeys: ["id"] },
  ),
  { nil: undefined },
);
const descriptor = fc
  .tuple(fc.subarray(TAGS), fc.oneof(fc.dictionary(fc.constantFrom(...KEYS), fc.oneof(value, fc.constantFrom<JsonValue>(["alice", "red"], ["bob", 1], ["red", 2])), { maxKeys: 3 }), scalar))
  .map(([tags, json]) => new ObjectDescriptor(tags, json));
const access = fc.constantFrom<Access>("observe", "expose");

/** JSON equality by canonical text: independent of the implementation's own comparison. */
const same = (a: JsonValue, b: JsonValue) => canonicalJson(a) === canonicalJson(b);
const claimName = (v: JsonValue) => (typeof v === "object" && v !== null && !Array.isArray(v) && "$claim" in v ? (v as { $claim: string }).$claim : undefined);

const isObject = (v: JsonValue | undefined): v is { readonly [key: string]: JsonValue } => typeof v === "object" && v !== null && !Array.isArray(v);

/** The claims a pattern refers to. */
function modelClaims(pattern: JsonValue): string[] {
  const name = claimName(pattern);
  if (name !== undefined) return [name];
  return isObject(pattern) || Array.isArray(pattern) ? Object.values(pattern).flatMap(modelClaims) : [];
}

/** Whether `value` (absent: undefined) matches `pattern`, every claim it refers to being present in `who`. */
function modelSubset(pattern: JsonValue, value: JsonValue | undefined, who: Principal | undefined): boolean {
  if (value === undefined) return false;
  const name = claimName(pattern);
  if (name !== undefined) return same(who![name]!, value);
  if (isObject(pattern)) {
    return isObject(value) && Object.entries(pattern).every(([k, p]) => modelSubset(p, Object.hasOwn(value, k) ? value[k] : undefined, who));
  }
  return same(modelTag(pattern, who), value);
}

function modelTag(pattern: JsonValue, who: Principal | undefined): JsonValue {
  const name = claimName(pattern);
  if (name !== undefined) return who![name]!;
  if (Array.isArray(pattern)) return pattern.map((p) => modelTag(p, who));
  return isObject(pattern) ? Object.fromEntries(Object.entries(pattern).map(([k, p]) => [k, modelTag(p, who)])) : pattern;
}

/** Whether `s` selects `d` for `who`; "missing" when it refers to a claim `who` lacks. */
function modelSelects(s: Selector, d: ObjectDescriptor, who: Principal | undefined): boolean | "missing" {
  if ("any" in s) return true;
  const claims = [...modelClaims(s.tag ?? null), ...modelClaims(s.object ?? null)];
  if (claims.some((name) => who === undefined || !Object.hasOwn(who, name))) return "missing";
  const tagged = s.tag === undefined || d.tags.some((x) => same(x.json, modelTag(s.tag!, who)));
  return tagged && (s.object === undefined || modelSubset(s.object, d.json, who));
}

/** The decision as the rules define it: first matching rule, deny (or an unresolvable deny) beats allow, else missing grant. */
function model(p: Policy | undefined, who: Principal | undefined, a: Access, d: ObjectDescriptor): boolean {
  if (p === undefined) return true;
  const r = p.rules.find((rule) => rule.principal === undefined || (who !== undefined && Object.entries(rule.principal).every(([k, v]) => modelSubset(v, Object.hasOwn(who, k) ? who[k] : undefined, undefined))));
  if (r === undefined) return false;
  if ((r.deny?.[a] ?? []).some((s) => modelSelects(s, d, who) !== false)) return false;
  return (r[a] ?? []).some((s) => modelSelects(s, d, who) === true);
}

describe("properties of grantsFor", () => {
  it("every answer is the one the rules define (first matching rule, deny beats allow, claims substituted, no rule: nothing)", () => {
    fc.assert(
      fc.property(policy, principal, fc.array(fc.tuple(access, descriptor), { minLength: 1, maxLength: 8 }), (p, who, asks) => {
        const grants = grantsFor(parsePolicy(p), who);
        for (const [a, d] of asks) expect(grants[a](d).allowed, `${a} ${d.toString()}`).toBe(model(p, who, a, d));
      }),
      { numRuns: 600, seed: 1203 },
    );
  });

  it("rules after the deciding one, and rules before it that do not match, change nothing", () => {
    fc.assert(
      fc.property(policy, fc.array(rule, { maxLength: 3 }), principal, fc.array(fc.tuple(access, descriptor), { maxLength: 8 }), (p, extra, who, asks) => {
        const before = grantsFor(parsePolicy(p), who);
        if (before.rule === undefined) return;
        const later = grantsFor(parsePolicy({ rules: [...p.rules, ...extra] }), who);
        const never = grantsFor(parsePolicy({ rules: [{ principal: { role: "nobody" }, observe: [{ any: true }], expose: [{ any: true }] }, ...p.rules] }), who);
        for (const [a, d] of asks) {
          expect(later[a](d).allowed).toBe(before[a](d).allowed);
          expect(never[a](d).allowed).toBe(before[a](d).allowed);
        }
      }),
      { numRuns: 300, seed: 1204 },
    );
  });

  it("deny beats allow: a denied object stays denied whatever the rule also allows", () => {
    fc.assert(
      fc.property(selector, selectors, principal, access, fc.array(descriptor, { maxLength: 10 }), (deny, allow, who, a, ds) => {
        const denying = grantsFor(parsePolicy({ rules: [{ deny: { [a]: [deny] } }] }), who);
        const both = grantsFor(parsePolicy({ rules: [{ [a]: [{ any: true }, ...allow], deny: { [a]: [deny] } }] }), who);
        const onlyAllow = grantsFor(parsePolicy({ rules: [{ [a]: [{ any: true }, ...allow] }] }), who);
        for (const d of ds) {
          expect(denying[a](d).allowed).toBe(false);
          expect(onlyAllow[a](d).allowed).toBe(true);
          const denies = modelSelects(deny, d, who) !== false;
          expect(both[a](d).allowed).toBe(!denies);
        }
      }),
      { numRuns: 300, seed: 1205 },
    );
  });

  it("a policy that allows everything to everyone answers as no policy does", () => {
    const everything = parsePolicy({ rules: [{ observe: [{ any: true }], expose: [{ any: true }] }] });
    fc.assert(
      fc.property(principal, fc.array(fc.tuple(access, descriptor), { maxLength: 10 }), fc.constantFrom(...TAGS), (who, asks, t) => {
        const open = grantsFor(everything, who);
        const none = grantsFor(undefined, who);
        expect(open.allowsEverything).toBe(none.allowsEverything);
        for (const [a, d] of asks) expect(open[a](d)).toEqual(none[a](d));
        for (const a of ["observe", "expose"] as const) expect(open.tag(tag(t), a)).toEqual(none.tag(tag(t), a));
      }),
      { numRuns: 200, seed: 1206 },
    );
  });

  it("claims substitute: owner-only selectors grant exactly the objects whose owner is the principal's claim", () => {
    fc.assert(
      fc.property(fc.constantFrom("alice", "bob"), value, value, (id, team, owner) => {
        const owned = parsePolicy({ rules: [{ observe: [{ object: { owner: { $claim: "id" } } }, { tag: { team: { $claim: "team" } } }] }] });
        const grants = grantsFor(owned, { id, team });
        expect(grants.observe(object({ owner })).allowed).toBe(same(owner, id));
        expect(grants.observe(object(1, { team: owner })).allowed).toBe(same(owner, team));
      }),
      { numRuns: 200, seed: 1207 },
    );
  });
});
