import { describe, expect, it } from "vitest";
import { compiledPolicyOf } from "../../lib/trust/compiled-policy.js";
import { parsePolicy } from "../../lib/trust/parse-policy.js";

describe("compiledPolicyOf", () => {
  const json = { rules: [{ observe: [{ tag: "news" }] }, { observe: [{ object: { owner: { $claim: "id" } } }] }] };

  it("compiles a policy from parsePolicy once, and any other object anew each time (it may change)", () => {
    const policy = parsePolicy(json);
    expect(compiledPolicyOf(policy)).toBe(compiledPolicyOf(policy));
    expect(compiledPolicyOf(json)).not.toBe(compiledPolicyOf(json));
  });

  it("shares the compiled grants of a rule without claim references among all links, and compiles per link where claims differ", () => {
    const [plain, withClaims] = compiledPolicyOf(parsePolicy(json)).rules;
    expect(plain!.shared).toBeDefined();
    expect(withClaims!.shared).toBeUndefined();
  });
});
