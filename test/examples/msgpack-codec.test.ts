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
