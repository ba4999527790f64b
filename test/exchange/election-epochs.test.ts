/**
 * Within one node: each election of an exposer for an object starts a new epoch, whose states supersede
 * those of earlier ones whatever their versions; versions order states within an epoch.
 */
import { expect, it } from "vitest";
import { LocalNode } from "../../lib/index.js";

const MAX = Number.MAX_SAFE_INTEGER;

it("a new exposer's versions start afresh after the former one published the version before the last", () => {
  const node = new LocalNode({ name: "node", clock: () => 1_000 });
  const observer = node.object([], "epochs").observe<string>();
  const former = node.object([], "epochs").expose<string>();
  expect(former.set("far", { version: [MAX - 1] })).toBe(true);
  const first = observer.state!.epoch!;
  expect(observer.state).toMatchObject({ data: "far", version: [MAX - 1] });
  const next = node.object([], "epochs").expose<string>();
  former.terminate();
  expect(next.assigned).toBe(true);
  expect(next.set("explicit", { version: [5] })).toBe(true);
  expect(observer.state).toMatchObject({ data: "explicit", version: [5], synchronized: true });
  expect(observer.state!.epoch).toBeGreaterThan(first);
  expect(next.set("older", { version: [4] })).toBe(false); // ordered within its election
  expect(next.set("default")).toBe(true);
  expect(observer.state).toMatchObject({ data: "default", version: [1_000, 0] });
  void node.close();
});

it("an exposer elected again publishes its value in the new election, whatever versions came between", () => {
  const node = new LocalNode({ name: "node", clock: () => 1_000 });
  const a = node.object([], "back").expose<string>();
  a.set("a", { version: [7] });
  const observer = node.object([], "back").observe<string>();
  const b = node.object([], "back").expose<string>();
  a.terminate();
  b.set("b", { version: [9e12] });
  const again = node.object([], "back").expose<string>();
  again.set("again", { version: [3] }); // kept while not elected: newer than nothing of its own
  b.terminate();
  expect(again.assigned).toBe(true);
  expect(observer.state).toMatchObject({ data: "again", version: [3], synchronized: true });
  void node.close();
});
