/**
 * Each kind of bad input the state wire refuses, one by one: a StateDecodeError naming the object
 * session and the fault (which closes the link), never a half-decoded state.
 */
import { describe, expect, it } from "vitest";
import { MAX_SUPPORTED_DEPTH } from "../../../lib/descriptor/resolve-limits.js";
import { MAX_INTERNED_PATH_BYTES, MAX_INTERNED_PATHS, PathDictionary, PathTable } from "../../../lib/sync/wire/path-dictionary.js";
import { StateDecodeError } from "../../../lib/sync/wire/state-decode-error.js";
import { decodeState, encodeDiff, versionCheck } from "../../../lib/sync/wire/state-codec.js";
import type { Version } from "../../../lib/state/version.js";

const FULL = 0x00;
const DIFF = 0x02;
const FLAG_ONLY = 0x04;
const DEFINITIONS = 0x20;
const SAME_LENGTH = 0x40;
/** Version [1] as a whole version: length 1, component 1 (sign bit 0, magnitude 1 in bits 1–6). */
const V1 = [1, 2];
const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));

function decode(bytes: number[], base?: Version, table = new PathTable()) {
  return decodeState(Uint8Array.from(bytes), base, table, "ab/cd");
}

function refused(bytes: number[], fault: RegExp, base?: Version, table?: PathTable): void {
  let error: unknown;
  try {
    decode(bytes, base, table);
  } catch (caught) {
    error = caught;
  }
  expect(error, `expected a refusal matching ${fault}`).toBeInstanceOf(StateDecodeError);
  expect((error as StateDecodeError).code).toBe("STATE_DECODE");
  expect((error as Error).message).toContain("Object ab/cd");
  expect((error as StateDecodeError).fault).toMatch(fault);
}

describe("the state wire refuses", () => {
  it("reserved flag bits, a form that is none, version-same-length on a full state", () => {
    refused([0x80, ...V1, 0xc0], /reserved flag bits 0x80/);
    refused([0x06, ...V1], /form bits name no form/);
    refused([FULL | SAME_LENGTH, ...V1, 0xc0], /version-same-length is set on a state that is not a diff/);
    expect(decode([FULL, ...V1, 0xc0])).toEqual({ v: [1], s: false, f: undefined, d: 0x40 });
  });

  it("an empty or truncated state", () => {
    refused([], /ends before its flags/);
    refused([FULL, 1], /ends before its version component/);
    refused([FULL, ...V1], /ends before its value tag/);
    refused([FULL, ...V1, 0x03, 0, 0], /ends inside its number/);
  });

  it("lengths and counts larger than what is left (nothing allocated for them)", () => {
    refused([FULL, ...V1, 0x06, 10, ...ascii("abc")], /string says 10 bytes, more than the 3 left/);
    refused([FULL, ...V1, 0x45, ...ascii("ab")], /string says 5 bytes, more than the 2 left/);
    refused([FULL, ...V1, 0x07, 0xff, 0xff, 0xff, 0xff, 0x0f], /array count says 4294967295, more than the 0 bytes left/);
    refused([FULL, ...V1, 0x1f, 0x80], /array of 15 items, more than the 1 bytes left/);
    refused([FULL, ...V1, 0x2f, 0, 0x80], /object of 15 entries, more than the 2 bytes left/);
  });

  it("integers beyond the safe range or longer than 8 bytes, negative zero", () => {
    refused([FULL, ...V1, 0x04, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f], /integer is beyond the safe integers/);
    refused([FULL, ...V1, 0x04, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0], /integer takes more than 8 bytes/);
    refused([FULL, ...V1, 0x05, 0], /negative integer of magnitude 0/);
  });

  it("NaN and Infinity", () => {
    const float = (value: number) => [...new Uint8Array(new Float64Array([value]).buffer)];
    refused([FULL, ...V1, 0x03, ...float(NaN)], /number is NaN/);
    refused([FULL, ...V1, 0x03, ...float(-Infinity)], /number is -Infinity/);
    expect(decode([FULL, ...V1, 0x03, ...float(0.5)])!.d).toBe(0.5);
  });

  it("invalid UTF-8, in a short string and a long one", () => {
    refused([FULL, ...V1, 0x42, 0xc3, 0x28], /string is not valid UTF-8/);
    refused([FULL, ...V1, 0x06, 40, ...new Array<number>(39).fill(0x61), 0xff], /string is not valid UTF-8/);
    expect(decode([FULL, ...V1, 0x42, 0xc3, 0xa9])!.d).toBe("é");
  });

  it("an unknown value tag", () => {
    refused([FULL, ...V1, 0x09], /unknown value tag 0x9/);
  });

  it("data nested deeper than the limit, counted while decoding", () => {
    refused([FULL, ...V1, ...new Array<number>(MAX_SUPPORTED_DEPTH + 1).fill(0x11), 0xc0], new RegExp(`nested deeper than ${MAX_SUPPORTED_DEPTH} levels`));
    const deepest = decode([FULL, ...V1, ...new Array<number>(MAX_SUPPORTED_DEPTH).fill(0x11), 0xc0]);
    expect(deepest).toBeDefined();
  });

  it("duplicate keys; __proto__ becomes an own data property, never a prototype", () => {
    refused([FULL, ...V1, 0x22, 1, ...ascii("a"), 0x80, 1, ...ascii("a"), 0x81], /key "a" twice/);
    const data = decode([FULL, ...V1, 0x21, 9, ...ascii("__proto__"), 0x21, 1, ...ascii("x"), 0x81])!.d as Record<string, unknown>;
    expect(Object.getPrototypeOf(data)).toBe(Object.prototype);
    expect(Object.hasOwn(data, "__proto__")).toBe(true);
    expect(JSON.stringify(data)).toBe('{"__proto__":{"x":1}}');
    expect(Object.isFrozen(data)).toBe(true);
  });

  it("trailing bytes after a full or flag-only state", () => {
    refused([FULL, ...V1, 0xc0, 0], /1 bytes follow the state/);
    refused([FLAG_ONLY, ...V1, 0], /1 bytes follow the state/);
  });

  it("invalid versions: no components, too many, the last possible one", () => {
    refused([FLAG_ONLY, 0], /a version of 0 components/);
    refused([FLAG_ONLY, 17], /a version of 17 components/);
    const last = Array.from({ length: 16 }, () => [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f]).flat();
    refused([FLAG_ONLY, 16, ...last], /invalid version: .*last possible version/);
  });

  it("version deltas that leave the safe integers", () => {
    const base = [Number.MAX_SAFE_INTEGER - 1];
    // Delta +64 on a base one below the largest safe integer.
    refused([DIFF | SAME_LENGTH, versionCheck(base), 0x80, 1], /version against the base .* is invalid/, base);
    expect(decode([DIFF | SAME_LENGTH, versionCheck(base), 0x02], base)).toEqual({ v: [Number.MAX_SAFE_INTEGER], s: false, f: undefined, p: [] });
  });

  it("references to paths never defined", () => {
    refused([DIFF | SAME_LENGTH, versionCheck([1]), 0x02, 0x80 | 3, 0x80], /reference to path 3, never defined \(the receiver holds 0\)/, [1]);
    refused([DIFF | SAME_LENGTH, versionCheck([1]), 0x02, 0x80 | 62, 5, 0x80], /reference to path 67, never defined/, [1]);
  });

  it("an unknown patch operation, a literal path that is no JSON Pointer or is too deep", () => {
    refused([DIFF | SAME_LENGTH, versionCheck([1]), 0x02, 0xc0], /unknown patch operation 3/, [1]);
    refused([DIFF | SAME_LENGTH, versionCheck([1]), 0x02, 0x40 | 63, 1, ...ascii("a")], /path "a" is not a JSON Pointer/, [1]);
    const deep = ascii("/a".repeat(MAX_SUPPORTED_DEPTH + 1));
    refused([DIFF | SAME_LENGTH, versionCheck([1]), 0x02, 0x40 | 63, 0x80 | (deep.length & 0x7f), deep.length >> 7, ...deep], /path deeper than 1000 segments/, [1]);
  });

  it("more patch operations than a patch may have", () => {
    const table = new PathTable();
    table.paths.push("/a");
    const removes = (n: number) => [DIFF | SAME_LENGTH, versionCheck([1]), 0x02, ...new Array<number>(n).fill(0x40)];
    refused(removes(10_001), /more than 10000 patch operations/, [1], table);
    expect(decode(removes(10_000), [1], table)!.p).toHaveLength(10_000);
  });

  it("definitions that do not start at the table's length, overflow the dictionary, or are too long", () => {
    const table = new PathTable();
    table.paths.push("/a");
    refused([FLAG_ONLY | DEFINITIONS, 0, 1, 2, ...ascii("/b"), ...V1], /definitions from index 0, but the receiver holds 1 paths/, undefined, table);
    refused([FLAG_ONLY | DEFINITIONS, 2, 1, 2, ...ascii("/b"), ...V1], /definitions from index 2, but the receiver holds 1 paths/, undefined, table);
    const full = new PathTable();
    for (let i = 0; i < MAX_INTERNED_PATHS; i++) full.paths.push(`/${i}`);
    refused([FLAG_ONLY | DEFINITIONS, 0x80, 0x08, 1, 2, ...ascii("/b"), ...V1], /1 definitions from index 1024/, undefined, full);
    refused([FLAG_ONLY | DEFINITIONS, 1, 0, ...V1], /0 definitions from index 1/, undefined, table);
    refused([FLAG_ONLY | DEFINITIONS, 1, 1, MAX_INTERNED_PATH_BYTES + 1, 1, ...new Array<number>(MAX_INTERNED_PATH_BYTES).fill(0x61), ...V1], /definition of 129 bytes/, undefined, table);
    decode([FLAG_ONLY | DEFINITIONS, 1, 1, 2, ...ascii("/b"), ...V1], undefined, table);
    expect(table.paths).toEqual(["/a", "/b"]);
  });

  it("a format of no names or more than 8", () => {
    refused([FULL | 0x10, 0, ...V1, 0xc0], /format of 0 names/);
    refused([FULL | 0x10, 9, ...V1, 0xc0], /format of 9 names/);
    const csv = decode([FULL | 0x10, 1, 3, ...ascii("CSV"), ...V1, 0xc0])!;
    expect(csv.f).toEqual(["CSV"]);
    expect(csv.d).toEqual(Uint8Array.of(0xc0));
  });

  it("a diff of a format other than JSON the receiver did not list as one it can patch", () => {
    refused([DIFF | 0x10, 1, 5, ...ascii("bytes"), 1, versionCheck([1]), 2, 0xc0], /a diff of the format \["bytes"\], which this side did not list/, [1]);
    refused([DIFF | 0x10, 1, 5, ...ascii("bytes"), 1, versionCheck([1]), 2, 0xc0], /a diff of the format \["bytes"\], which this side did not list/);
    expect(decode([DIFF | 0x10, 1, 4, ...ascii("JSON"), 1, versionCheck([1]), 4], [1])!.p).toEqual([]);
  });

  it("a diff whose check names another base is dropped, not patched onto the wrong state", () => {
    const dictionary = new PathDictionary();
    const diff = encodeDiff({ version: [7], format: ["JSON"], data: { a: 1 }, synchronized: true }, [6], [{ op: "add", path: "/a", value: 1 }], dictionary);
    expect(decodeState(diff.bytes, [5], new PathTable(), "ab/cd")).toBeUndefined();
  });
});
