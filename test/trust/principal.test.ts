import { describe, expect, it } from "vitest";
import { InvalidPrincipalError } from "../../lib/trust/invalid-principal-error.js";
import { principalExpiresAt, principalOf } from "../../lib/trust/principal.js";

describe("principalOf", () => {
  it("returns a deep-frozen copy of a valid principal", () => {
    const claims = { id: "alice", org: { id: 7, teams: ["a"] } };
    const principal = principalOf(claims);
    expect(principal).toEqual(claims);
    expect(principal).not.toBe(claims);
    expect(Object.isFrozen(principal) && Object.isFrozen(principal["org"]) && Object.isFrozen((principal["org"] as { teams: unknown }).teams)).toBe(true);
    claims.org.id = 8;
    expect((principal["org"] as { id: number }).id).toBe(7);
  });

  it("refuses what is not a principal, saying what is wrong", () => {
    const cases: [unknown, RegExp][] = [
      [null, /must be an object with a string "id" and claims, got null/],
      [["alice"], /got an array/],
      ["alice", /got string/],
      [{ name: "alice" }, /needs a non-empty string "id" \(for a JWT, its "sub" claim\); got undefined/],
      [{ id: "" }, /got an empty string/],
      [{ id: 7 }, /got number/],
      [{ id: "a", when: new Date(0) }, /claims must be JSON: Not JSON at principal\.when: a Date/],
      [{ id: "a", big: "x".repeat(20_000) }, /longer than 16384/],
    ];
    for (const [value, message] of cases) {
      expect(() => principalOf(value)).toThrow(InvalidPrincipalError);
      expect(() => principalOf(value)).toThrow(message);
    }
  });
});

describe("principalExpiresAt", () => {
  it("is the exp claim in milliseconds, or undefined without a finite numeric one", () => {
    expect(principalExpiresAt({ id: "a", exp: 1_700_000_000 })).toBe(1_700_000_000_000);
    expect(principalExpiresAt({ id: "a" })).toBeUndefined();
    expect(principalExpiresAt({ id: "a", exp: "tomorrow" })).toBeUndefined();
  });
});
