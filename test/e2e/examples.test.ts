import { afterEach, expect, it } from "vitest";
import { runExposer } from "../../examples/exposer.js";
import { runObserver } from "../../examples/observer.js";
import { runTagDashboard } from "../../examples/tag-dashboard.js";
import { runThreeLevelTree } from "../../examples/three-level-tree.js";
import { LocalNode, listen } from "../../lib/node-entry.js";

const quiet = (): void => {};
const nodes: LocalNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((node) => node.close()));
});

it("exposer.ts and observer.ts talk through a router", async () => {
  const router = new LocalNode({ name: "router" });
  nodes.push(router);
  const { url } = await listen(router, { port: 0 });
  const stop = new AbortController();
  const exposer = runExposer({ url, name: "exposer-1", intervalMs: 20, signal: stop.signal, log: quiet });
  const observed = await runObserver({ url, name: "observer-1", updates: 3, log: quiet });
  stop.abort();
  const exposed = await exposer;

  expect(exposed).toContain("upstream connected");
  expect(exposed).toContain("assigned: publishing");
  expect(exposed.at(-1)).toMatch(/^stopped after publishing \d+ ticks$/);
  expect(observed).toContain("upstream connected");
  const ticks = observed.filter((line) => /^tick \d+ by exposer-1$/.test(line)).map((line) => Number(line.split(" ")[1]));
  expect(ticks.length).toBeGreaterThanOrEqual(3);
  expect(ticks).toEqual([...ticks].sort((a, b) => a - b));
  expect(observed.at(-1)).toMatch(/^stopped after 3 updates$/);
});

it("tag-dashboard.ts balances eight sensors 2:6 between exposers of capacity 1 and 3", async () => {
  const lines = await runTagDashboard({ log: quiet });
  expect(lines[0]).toBe("sensor  celsius  exposer");
  expect(lines.slice(1, 9).map((line) => line.trim().split(/\s+/)[0])).toEqual(["1", "2", "3", "4", "5", "6", "7", "8"]);
  expect(lines.slice(1, 9).every((line) => /^\s+\d+\s+\d+\.\d\s+(small\(1\)|big\(3\))$/.test(line))).toBe(true);
  expect(lines[9]).toBe("load: big(3) serves 6, small(1) serves 2");
});

it("three-level-tree.ts carries every value from a leaf under the root to a leaf under the mid router", async () => {
  const lines = await runThreeLevelTree({ log: quiet });
  expect(lines.slice(0, 3)).toEqual(["mid linked to root", "leaf-a linked to root", "leaf-b linked to mid"]);
  expect(lines.filter((line) => line.startsWith("leaf-b sees"))).toEqual([
    "leaf-b sees reading 1",
    "leaf-b sees reading 2",
    "leaf-b sees reading 3",
  ]);
  expect(lines.indexOf("leaf-a exposer assigned: true")).toBeLessThan(lines.indexOf("leaf-b sees reading 1"));
  expect(lines.at(-1)).toBe("tree closed");
});
