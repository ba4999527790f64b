import { describe, expect, it } from "vitest";
import { DEFAULT_FORMAT } from "../../lib/state/object-state.js";

describe("DEFAULT_FORMAT", () => {
  it("defaults to the JSON format, frozen", () => {
    expect(DEFAULT_FORMAT).toEqual(["JSON"]);
    expect(Object.isFrozen(DEFAULT_FORMAT)).toBe(true);
    expect(() => (DEFAULT_FORMAT as string[]).push("gzip")).toThrow(TypeError);
  });
});
