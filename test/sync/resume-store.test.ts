import { expect, it } from "vitest";
import { DEFAULT_FORMAT, type ObjectState } from "../../lib/state/object-state.js";
import { RESUME_TTL_MS, ResumeStore } from "../../lib/sync/resume-store.js";

const state: ObjectState<unknown> = { version: [1], format: DEFAULT_FORMAT, data: 1, synchronized: true };

it("hands what a child held back once, and forgets it after the time to live", () => {
  let now = 0;
  const store = new ResumeStore(() => now);
  store.keep("child-a", new Map([["k", state]]));
  expect(store.take("child-a")?.get("k")).toBe(state);
  expect(store.take("child-a")).toBeUndefined(); // once
  store.keep("child-b", new Map([["k", state]]));
  now = RESUME_TTL_MS + 1;
  store.keep("child-c", new Map()); // any use sweeps what expired
  expect(store.size).toBe(1);
  expect(store.take("child-b")).toBeUndefined();
});
