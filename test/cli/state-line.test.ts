import { expect, it } from "vitest";
import { stateLine } from "../../lib/cli/state-line.js";
import { ObjectDescriptor } from "../../lib/descriptor/object-descriptor.js";

const door = new ObjectDescriptor(["t"], "door");

it("prints a JSON state's data, and a state of another format as its format and its bytes in base64", () => {
  expect(JSON.parse(stateLine(door, { version: [1], format: ["JSON"], data: { open: true }, synchronized: true }))).toEqual({
    descriptor: { tags: ["t"], json: "door" },
    version: [1],
    synchronized: true,
    data: { open: true },
  });
  const bytes = new Uint8Array([0, 1, 2, 250, 251, 252]).subarray(1, 5);
  expect(JSON.parse(stateLine(door, { version: [2], format: ["msgpack"], data: bytes, synchronized: false }))).toEqual({
    descriptor: { tags: ["t"], json: "door" },
    version: [2],
    synchronized: false,
    format: ["msgpack"],
    base64: "AQL6+w==",
  });
});
