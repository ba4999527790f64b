import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ObjectDescriptor } from "../../lib/descriptor/object-descriptor.js";
import { grantsFor } from "../../lib/trust/link-grants.js";
import { parsePolicy, parsePolicyText, POLICY_LIMITS } from "../../lib/trust/parse-policy.js";
import { PolicyError } from "../../lib/trust/policy-error.js";

/** The PolicyError `run` throws (failing the test when it throws anything else, or nothing). */
function policyError(run: () => unknown): PolicyError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyError);
    return error as PolicyError;
  }
  throw new Error("expected a PolicyError, nothing was thrown");
}

const VALID = {
  rules: [
    { name: "admins", principal: { role: "admin" }, observe: [{ any: true }], expose: [{ any: true }], limits: { objects: 10_000 } },
    {
      principal: { team: { id: 7 } },
      observe: [{ tag: "news" }, { object: { owner: { $claim: "id" } } }, { tag: { team: { $claim: "team" } }, object: { kind: "doc" } }],
      expose: [{ object: { owner: { $claim: "id" } } }],
      deny: { observe: [{ object: { secret: true } }], expose: [{ tag: "news" }] },
      limits: { objects: 100, tags: 5, bytesPerSecond: 1_000_000 },
    },
    {},
  ],
};

describe("parsePolicy accepts", () => {
  it("every part of the syntax, and returns an equal deep-frozen copy", () => {
    const policy = parsePolicy(VALID);
    expect(policy).toEqual(VALID);
    expect(policy).not.toBe(VALID);
    expect(Object.isFrozen(policy.rules[1]!.observe![1])).toBe(true);
    expect(Object.isFrozen((policy.rules[1]!.observe![1] as { object: object }).object)).toBe(true);
    expect(Object.isFrozen(policy.rules[1]!.deny)).toBe(true);
  });

  it("no rules (which allows nothing) and rules that grant nothing", () => {
    expect(parsePolicy({ rules: [] })).toEqual({ rules: [] });
    expect(parsePolicy({ rules: [{ observe: [], deny: {} }] })).toEqual({ rules: [{ observe: [], deny: {} }] });
  });

  it("a later change to the caller's value changes nothing in the policy", () => {
    const json = { rules: [{ observe: [{ object: { owner: "alice" } }] }] };
    const policy = parsePolicy(json);
    json.rules[0]!.observe[0]!.object.owner = "mallory";
    expect(grantsFor(policy, undefined).observe(new ObjectDescriptor([], { owner: "alice" })).allowed).toBe(true);
    expect(grantsFor(policy, undefined).observe(new ObjectDescriptor([], { owner: "mallory" })).allowed).toBe(false);
  });

  it("JSON text", () => {
    expect(parsePolicyText(JSON.stringify(VALID))).toEqual(VALID);
  });
});

describe("parsePolicy rejects, naming the place and what to do", () => {
  const cases: [string, unknown, string, RegExp][] = [
    ["not an object", [], "policy", /a policy is an object \{"rules": \[\.\.\.\]\}/],
    ["no rules", {}, "policy", /has no "rules"/],
    ["unknown top-level key", { rules: [], rule: [] }, "policy.rule", /unknown key; the keys allowed here are "rules"/],
    ["rules not a list", { rules: {} }, "rules", /expected a list/],
    ["a rule not an object", { rules: [1] }, "rules[0]", /a rule is an object/],
    ["a misspelt rule key", { rules: [{}, { obsreve: [] }] }, "rules[1].obsreve", /"name", "principal", "observe", "expose", "deny", "limits"/],
    ["an empty name", { rules: [{ name: " " }] }, "rules[0].name", /non-empty string/],
    ["an empty principal", { rules: [{ principal: {} }] }, "rules[0].principal", /leave "principal" out/],
    ["a claim reference in the principal", { rules: [{ principal: { a: [{ $claim: "id" }] } }] }, "rules[0].principal.a[0].$claim", /belong in selectors/],
    ["selectors not a list", { rules: [{ expose: { tag: "x" } }] }, "rules[0].expose", /expected a list/],
    ["an empty selector", { rules: [{ observe: [{ tag: "a" }, {}] }] }, "rules[0].observe[1]", /an empty selector selects nothing/],
    ["an unknown selector key", { rules: [{ observe: [{ tags: "a" }] }] }, "rules[0].observe[0].tags", /"tag", "object", "any"/],
    ["an empty object pattern", { rules: [{ observe: [{ object: {} }] }] }, "rules[0].observe[0].object", /list the keys to match, or use \{"any": true\}/],
    ["any other than true", { rules: [{ observe: [{ any: 1 }] }] }, "rules[0].observe[0].any", /can only be true/],
    ["any with a tag", { rules: [{ observe: [{ any: true, tag: "a" }] }] }, "rules[0].observe[0]", /takes no "tag" or "object"/],
    ["a claim reference naming nothing", { rules: [{ observe: [{ object: { owner: { $claim: "" } } }] }] }, "rules[0].observe[0].object.owner.$claim", /non-empty string/],
    ["a claim reference by number", { rules: [{ observe: [{ tag: { $claim: 1 } }] }] }, "rules[0].observe[0].tag.$claim", /non-empty string/],
    ["a claim reference with more keys", { rules: [{ observe: [{ object: { o: { $claim: "id", x: 1 } } }] }] }, "rules[0].observe[0].object.o", /single key "\$claim"[^]*"x"/],
    ["deny not an object", { rules: [{ deny: [] }] }, "rules[0].deny", /"deny" is an object/],
    ["an unknown deny key", { rules: [{ deny: { observe: [], publish: [] } }] }, "rules[0].deny.publish", /"observe", "expose"/],
    ["an empty deny selector", { rules: [{ deny: { expose: [{}] } }] }, "rules[0].deny.expose[0]", /empty selector/],
    ["a negative limit", { rules: [{ limits: { objects: -1 } }] }, "rules[0].limits.objects", /whole number from 0 up/],
    ["a fractional limit", { rules: [{ limits: { bytesPerSecond: 1.5 } }] }, "rules[0].limits.bytesPerSecond", /whole number/],
    ["an unknown limit", { rules: [{ limits: { links: 1 } }] }, "rules[0].limits.links", /"objects", "tags", "bytesPerSecond"/],
    ["an odd key, quoted", { rules: [{ "the rule": 1 }] }, 'rules[0]["the rule"]', /unknown key/],
    ["not JSON", { rules: [{ observe: [{ tag: undefined }] }] }, "rules[0].observe[0].tag", /undefined is not a JSON value/],
    ["a selector value over the descriptor limit", { rules: [{ observe: [{ tag: "x".repeat(20_000) }] }] }, "rules[0].observe[0].tag", /longer than 16384/],
  ];
  for (const [what, json, path, problem] of cases) {
    it(what, () => {
      const error = policyError(() => parsePolicy(json));
      expect(error.path).toBe(path);
      expect(error.problem).toMatch(problem);
      expect(error.message).toBe(`Invalid policy at ${path}: ${error.problem}`);
      expect(error.code).toBe("INVALID_POLICY");
    });
  }

  it("nesting past its depth bound, without overflowing the stack", () => {
    let deep: unknown = "x";
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const error = policyError(() => parsePolicy({ rules: [{ observe: [{ tag: deep }] }] }));
    expect(error.path).toMatch(/^rules\[0\]\.observe\[0\]\.tag\[0\]/);
    expect(error.problem).toMatch(/deeper than 38 levels/);
  });

  it("text that is not JSON, or longer than the bound, before parsing it", () => {
    expect(policyError(() => parsePolicyText('{"rules": [}')).problem).toMatch(/^is not JSON \(.+\); fix the syntax$/);
    const long = JSON.stringify({ rules: [{ name: "x".repeat(POLICY_LIMITS.maxLength) }] });
    expect(policyError(() => parsePolicyText(long)).problem).toMatch(/more than 1048576/);
  });

  it("a policy as big as its bound", () => {
    const rules = Array.from({ length: 40_000 }, (_, i) => ({ observe: [{ tag: `tag-${i}` }] }));
    expect(policyError(() => parsePolicy({ rules })).problem).toMatch(/longer than 1048576 characters/);
  });
});

/** A valid policy and, at random places in it, one corruption each of the kinds parsePolicy must catch. */
const corruptions: ((policy: { rules: Record<string, unknown>[] }, where: number) => void)[] = [
  (policy, i) => (policy.rules[i]!["unknown"] = true),
  (policy, i) => (policy.rules[i]!["observe"] = [{}]),
  (policy, i) => (policy.rules[i]!["expose"] = [{ object: {} }]),
  (policy, i) => (policy.rules[i]!["deny"] = { observe: [{ tag: { $claim: "" } }] }),
  (policy, i) => (policy.rules[i]!["observe"] = [{ object: { a: { $claim: 7 } } }]),
  (policy, i) => (policy.rules[i]!["principal"] = { role: { $claim: "id" } }),
  (policy, i) => (policy.rules[i]!["limits"] = { objects: "many" }),
  (policy, i) => (policy.rules[i]!["expose"] = "everything"),
  (policy, i) => (policy.rules[i]!["observe"] = [{ any: false }]),
  (policy, i) => (policy.rules[i] = null as unknown as Record<string, unknown>),
  (policy, i) => (policy.rules[i]!["name"] = 42),
  (policy, i) => (policy.rules[i]!["deny"] = { observe: [{ tag: "a" }], expose: [{ tagg: "b" }] }),
  (policy, i) => (policy.rules[i]!["observe"] = [{ tag: Number.NaN }]),
];

const selector = fc.constantFrom<unknown>({ tag: "a" }, { object: { owner: { $claim: "id" } } }, { any: true }, { tag: "b", object: { k: [1, 2] } });
const rule = fc.record(
  {
    principal: fc.constantFrom({ role: "admin" }, { team: { id: 1 } }),
    observe: fc.array(selector, { maxLength: 3 }),
    expose: fc.array(selector, { maxLength: 3 }),
    deny: fc.record({ observe: fc.array(selector, { maxLength: 2 }) }, { requiredKeys: [] }),
    limits: fc.record({ objects: fc.nat(), tags: fc.nat() }, { requiredKeys: [] }),
  },
  { requiredKeys: [] },
);

describe("properties", () => {
  it("a valid policy with any one corruption throws a PolicyError, and grantsFor on it allows nothing but throws the same", () => {
    fc.assert(
      fc.property(fc.array(rule, { minLength: 1, maxLength: 5 }), fc.nat(), fc.nat({ max: corruptions.length - 1 }), (rules, where, kind) => {
        const policy = { rules: structuredClone(rules) as Record<string, unknown>[] };
        expect(() => parsePolicy(policy)).not.toThrow();
        corruptions[kind]!(policy, where % rules.length);
        const error = policyError(() => parsePolicy(policy));
        expect(error.path).toMatch(new RegExp(`^rules\\[${where % rules.length}\\]`));
        policyError(() => grantsFor(policy as never, { id: "alice", role: "admin" }));
      }),
      { numRuns: 300, seed: 1201 },
    );
  });

  it("any value at all either parses or throws a PolicyError, never anything else", () => {
    const values = fc.oneof(fc.anything(), fc.record({ rules: fc.array(fc.oneof(fc.anything(), rule)) }), fc.record({ rules: fc.array(fc.dictionary(fc.constantFrom("observe", "expose", "deny", "principal", "limits", "name"), fc.jsonValue())) }));
    fc.assert(
      fc.property(values, (value) => {
        try {
          parsePolicy(value);
        } catch (error) {
          expect(error).toBeInstanceOf(PolicyError);
        }
      }),
      { numRuns: 500, seed: 1202 },
    );
  });
});
