import { expect, it } from "vitest";
import { TickMap } from "../../lib/sync/tick-map.js";

it("keeps an entry for the rest of the synchronous run that set it, and forgets it after", async () => {
  const map = new TickMap<object, number>();
  const key = {};
  map.set(key, 1);
  map.set(key, 2);
  expect(map.get(key)).toBe(2);
  await Promise.resolve();
  expect(map.get(key)).toBeUndefined();
  map.set(key, 3); // a later run starts afresh, and is forgotten again after it
  expect(map.get(key)).toBe(3);
  await Promise.resolve();
  expect(map.get(key)).toBeUndefined();
});
