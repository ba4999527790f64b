import { expect, it } from "vitest";
import { msgpackCodec, msgpackExample } from "../../examples/msgpack-codec.js";
import { expectReadmeShowsExample } from "./readme-example.js";

it("the README's formats example is exactly examples/msgpack-codec.ts, and prints the output shown under it", async () => {
  await expectReadmeShowsExample("msgpack-codec", msgpackExample);
});

it("the msgpack codec keeps what JSON would lose: dates, maps, sets, binary data, undefined", () => {
  const codec = msgpackCodec<unknown>();
  const value = { at: new Date(1234), map: new Map([["a", 1]]), set: new Set([1, 2]), none: undefined };
  const bytes = codec.encode({ ...value, bytes: Uint8Array.of(1, 2) });
  expect(bytes).toBeInstanceOf(Uint8Array);
  const { bytes: binary, ...rest } = codec.decode(bytes) as typeof value & { bytes: Uint8Array };
  expect(rest).toEqual(value);
  expect(Uint8Array.from(binary)).toEqual(Uint8Array.of(1, 2));
  expect(codec.format).toBe("msgpack");
});

it("the msgpack codec's diff of an object of fields is the fields set and unset, which patch applies; other values have none", () => {
  const codec = msgpackCodec<unknown>();
  const fields = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`field_${i}`, i % 2 === 0 ? i : new Date(i)]));
  const base = codec.encode(fields);
  const next = { ...fields, field_3: "three", field_31: new Map([["a", 1]]) } as Record<string, unknown>;
  delete next.field_4;
  const diff = codec.diff!(base, codec.encode(next))!;
  expect(diff.length).toBeLessThan(60);
  expect(codec.decode(codec.patch!(base, diff))).toEqual(next);
  expect(codec.decode(codec.patch!(base, codec.diff!(base, base)!))).toEqual(fields);
  expect(codec.diff!(codec.encode([1, 2]), codec.encode([1, 3]))).toBeUndefined();
  expect(codec.diff!(base, codec.encode(new Date(5)))).toBeUndefined();
  expect(() => codec.patch!(codec.encode("text"), diff)).toThrow("not a diff of this codec's fields");
  expect(() => codec.patch!(base, codec.encode({ set: 1, unset: [] }))).toThrow("not a diff of this codec's fields");
});
