import { expect, it } from "vitest";
import { InvalidJsonError } from "../../lib/descriptor/invalid-json-error.js";
import { tagFromArgument } from "../../lib/descriptor/tag-argument.js";

it("reads a tag argument as JSON when it parses, else as the text", () => {
  expect(tagFromArgument("42").json).toBe(42);
  expect(tagFromArgument('"7"').json).toBe("7");
  expect(tagFromArgument("[1,2]").json).toEqual([1, 2]);
  expect(tagFromArgument('{"b":1,"a":2}').key).toBe('{"a":2,"b":1}');
  expect(tagFromArgument("monitor").json).toBe("monitor");
  expect(tagFromArgument("{not json").json).toBe("{not json");
});

it("refuses what TagDescriptor refuses", () => {
  expect(() => tagFromArgument("1e400")).toThrow(InvalidJsonError);
  expect(() => tagFromArgument("[".repeat(100) + "]".repeat(100))).toThrow(InvalidJsonError);
});
