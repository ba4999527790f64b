import { describe, expect, it } from "vitest";
import type { JsonValue } from "../../../lib/descriptor/json-value.js";
import { applyPatch, PatchApplyError, type PatchOperation } from "../../../lib/sync/json-patch/index.js";
import { HakubanError } from "../../../lib/errors/hakuban-error.js";
import { deepCopy, deepFreeze } from "./json-fixtures.js";

/** Applies `patch` to a frozen `base` and checks `base` did not change. */
function apply(base: JsonValue, patch: readonly PatchOperation[]): JsonValue {
  const before = deepCopy(base);
  try {
    return applyPatch(deepFreeze(base), patch);
  } finally {
    expect(base).toEqual(before);
  }
}

function failure(base: JsonValue, patch: readonly PatchOperation[]): PatchApplyError {
  try {
    apply(base, patch);
  } catch (error) {
    expect(error).toBeInstanceOf(PatchApplyError);
    expect(error).toBeInstanceOf(HakubanError);
    return error as PatchApplyError;
  }
  throw new Error("the patch applied, but it should not fit");
}

describe("applyPatch", () => {
  it("follows the RFC 6902 examples for add, remove and replace", () => {
    expect(apply({ foo: "bar" }, [{ op: "add", path: "/baz", value: "qux" }])).toEqual({ baz: "qux", foo: "bar" });
    expect(apply({ foo: ["bar", "baz"] }, [{ op: "add", path: "/foo/1", value: "qux" }])).toEqual({ foo: ["bar", "qux", "baz"] });
    expect(apply({ baz: "qux", foo: "bar" }, [{ op: "remove", path: "/baz" }])).toEqual({ foo: "bar" });
    expect(apply({ foo: ["bar", "qux", "baz"] }, [{ op: "remove", path: "/foo/1" }])).toEqual({ foo: ["bar", "baz"] });
    expect(apply({ baz: "qux", foo: "bar" }, [{ op: "replace", path: "/baz", value: "boo" }])).toEqual({ baz: "boo", foo: "bar" });
    expect(apply({ foo: "bar" }, [{ op: "add", path: "/child", value: { grandchild: {} } }])).toEqual({ foo: "bar", child: { grandchild: {} } });
    expect(apply({ foo: ["bar"] }, [{ op: "add", path: "/foo/-", value: ["abc", "def"] }])).toEqual({ foo: ["bar", ["abc", "def"]] });
    expect(apply({ foo: null }, [{ op: "add", path: "/foo", value: 1 }])).toEqual({ foo: 1 });
    expect(apply({ "": 1 }, [{ op: "replace", path: "/", value: 2 }])).toEqual({ "": 2 });
    expect(apply([1, 2], [{ op: "add", path: "/2", value: 3 }])).toEqual([1, 2, 3]);
    const error = failure({ foo: "bar" }, [{ op: "add", path: "/baz/bat", value: "qux" }]);
    expect(error.message).toContain('operation 0 (add at "/baz/bat")');
    expect(error.message).toContain('"/baz" does not exist');
  });

  it("replaces or adds the whole document at the empty path, and refuses to remove it", () => {
    expect(apply({ a: 1 }, [{ op: "replace", path: "", value: [1] }])).toEqual([1]);
    expect(apply(5, [{ op: "add", path: "", value: { b: 2 } }])).toEqual({ b: 2 });
    expect(failure({ a: 1 }, [{ op: "remove", path: "" }]).message).toContain("replace it instead");
  });

  it("applies operations in order, later ones seeing earlier ones' results", () => {
    const patch: PatchOperation[] = [
      { op: "add", path: "/list/0", value: "first" },
      { op: "remove", path: "/list/2" },
      { op: "add", path: "/obj", value: { x: 1 } },
      { op: "add", path: "/obj/y", value: 2 },
      { op: "replace", path: "/obj/x", value: 3 },
      { op: "remove", path: "/gone" },
    ];
    expect(apply({ list: ["a", "b", "c"], gone: true }, patch)).toEqual({ list: ["first", "a", "c"], obj: { x: 3, y: 2 } });
    expect(patch[2]).toEqual({ op: "add", path: "/obj", value: { x: 1 } });
  });

  it("shares untouched subtrees with the base and copies each changed container once", () => {
    const base = { left: { deep: [1, 2, { x: 1 }] }, right: { list: [{ a: 1 }, { b: 2 }] as JsonValue[] }, n: 1 };
    deepFreeze(base);
    const result = applyPatch(base, [
      { op: "replace", path: "/right/list/1/b", value: 3 },
      { op: "add", path: "/right/list/1/c", value: 4 },
      { op: "replace", path: "/n", value: 2 },
    ]) as typeof base;
    expect(result).toEqual({ left: { deep: [1, 2, { x: 1 }] }, right: { list: [{ a: 1 }, { b: 3, c: 4 }] }, n: 2 });
    expect(result.left).toBe(base.left);
    expect(result.right.list[0]).toBe(base.right.list[0]);
    expect(result.right).not.toBe(base.right);
    expect(result.right.list[1]).not.toBe(base.right.list[1]);
    expect(Object.isFrozen(result)).toBe(true); // immutable in, immutable out
    expect(Object.isFrozen(result.right.list)).toBe(true);
    expect(applyPatch(base, [])).toBe(base);
  });

  it("keeps null-prototype objects null-prototype when it copies them", () => {
    const base = Object.assign(Object.create(null) as { [key: string]: JsonValue }, { a: 1 });
    const result = apply(base, [{ op: "add", path: "/b", value: 2 }]);
    expect(Object.getPrototypeOf(result)).toBeNull();
    expect({ ...(result as object) }).toEqual({ a: 1, b: 2 });
  });

  it("writes __proto__ and other inherited names as plain keys, never reaching prototypes", () => {
    const result = apply({}, [{ op: "add", path: "/__proto__", value: { polluted: true } }]) as { [key: string]: JsonValue };
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(Object.hasOwn(result, "__proto__")).toBe(true);
    expect((result as { polluted?: unknown }).polluted).toBeUndefined();
    expect(apply(result, [{ op: "add", path: "/__proto__/x", value: 1 }])).toEqual(JSON.parse('{"__proto__":{"polluted":true,"x":1}}'));
    failure({}, [{ op: "add", path: "/__proto__/polluted", value: true }]);
    failure({}, [{ op: "add", path: "/constructor/prototype/polluted", value: true }]);
    failure({}, [{ op: "replace", path: "/toString", value: 1 }]);
    failure({}, [{ op: "remove", path: "/hasOwnProperty" }]);
    failure([], [{ op: "add", path: "/length/x", value: 1 }]);
    expect(({} as { polluted?: unknown; x?: unknown }).polluted).toBeUndefined();
    expect(Object.prototype.toString).toBeTypeOf("function");
  });

  it("refuses operations that do not fit, naming the operation and the path", () => {
    const base = { a: { b: [10, 20, 30] }, s: "text", z: null };
    const cases: [PatchOperation, string][] = [
      [{ op: "replace", path: "/missing", value: 1 }, 'key "missing" does not exist'],
      [{ op: "remove", path: "/missing" }, 'key "missing" does not exist'],
      [{ op: "add", path: "/a/b/4", value: 1 }, "use 0…3"],
      [{ op: "add", path: "/a/b/01", value: 1 }, "cannot insert"],
      [{ op: "replace", path: "/a/b/3", value: 1 }, 'index "3" does not exist'],
      [{ op: "replace", path: "/a/b/-", value: 1 }, 'index "-" does not exist'],
      [{ op: "remove", path: "/a/b/-1" }, 'index "-1" does not exist'],
      [{ op: "remove", path: "/a/b/1e0" }, 'index "1e0" does not exist'],
      [{ op: "add", path: "/a/b/9/x", value: 1 }, '"/a/b/9" does not exist'],
      [{ op: "add", path: "/a/b/-/x", value: 1 }, '"/a/b/-" does not exist'],
      [{ op: "add", path: "/s/x", value: 1 }, '"/s" is a string'],
      [{ op: "add", path: "/z/x", value: 1 }, '"/z" is null'],
      [{ op: "add", path: "/a/b/0/x", value: 1 }, '"/a/b/0" is a number'],
      [{ op: "add", path: "a", value: 1 }, "not a JSON Pointer"],
      [{ op: "move", path: "/a", from: "/s" } as unknown as PatchOperation, "only add, remove and replace"],
    ];
    for (const [op, problem] of cases) {
      const error = failure(base, [{ op: "replace", path: "/s", value: "changed" }, op]);
      expect(error.opIndex).toBe(1);
      expect(error.path).toBe(op.path);
      expect(error.message).toContain(`operation 1 (${op.op} at ${JSON.stringify(op.path)})`);
      expect(error.message).toContain(problem);
    }
    expect(failure(7, [{ op: "add", path: "/x", value: 1 }]).message).toContain("the document is a number");
  });
});
