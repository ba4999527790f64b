import fc from "fast-check";
import { expect, it } from "vitest";
import { hasMember, memberAt, memberCount, withMember, withoutMember, type MemberList } from "../../lib/exchange/member-list.js";

const pool = Array.from({ length: 5 }, (_, id) => ({ id }));
type Member = (typeof pool)[number];

function members(list: MemberList<Member>): Member[] {
  return Array.from({ length: memberCount(list) }, (_, i) => memberAt(list, i));
}

it("behaves as an ordered set under any adds and removes, keeping one member as itself", () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.boolean(), fc.nat(pool.length - 1)), { maxLength: 40 }), (ops) => {
      let list: MemberList<Member> = undefined;
      const model: Member[] = [];
      for (const [add, index] of ops) {
        const member = pool[index]!;
        const before = list;
        list = add ? withMember(list, member) : withoutMember(list, member);
        const changed = add ? !model.includes(member) : model.includes(member);
        if (add && changed) model.push(member);
        if (!add && changed) model.splice(model.indexOf(member), 1);
        if (!changed) expect(list).toBe(before); // nothing to do: the same list
        expect(members(list)).toEqual(model);
        for (const m of pool) expect(hasMember(list, m)).toBe(model.includes(m));
        if (model.length === 0) expect(list).toBeUndefined();
        if (model.length === 1) expect(list).toBe(model[0]); // no array for a lone member
        if (model.length > 1) expect(Object.isFrozen(list)).toBe(true);
      }
    }),
    { numRuns: 300 },
  );
});

it("never changes a list it handed out (a delivery iterating it is undisturbed)", () => {
  const [a, b, c] = pool as [Member, Member, Member];
  const two = withMember(withMember(undefined, a), b);
  const three = withMember(two, c);
  expect(members(two)).toEqual([a, b]);
  expect(members(withoutMember(three, a))).toEqual([b, c]);
  expect(members(three)).toEqual([a, b, c]);
});
