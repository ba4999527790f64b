import { expect, it } from "vitest";
import { caughtError, caughtMessage } from "../../lib/sync/caught-error.js";

it("keeps a caught Error as it is and makes one of anything else thrown", () => {
  const error = new RangeError("out of range");
  expect(caughtError(error)).toBe(error);
  expect(caughtMessage(error)).toBe("out of range");
  const made = caughtError("a string was thrown");
  expect(made).toBeInstanceOf(Error);
  expect(made.message).toBe("a string was thrown");
  expect(caughtMessage(42)).toBe("42");
});
