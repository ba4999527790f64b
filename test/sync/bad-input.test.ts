import { afterEach, describe, expect, it } from "vitest";
import type { LocalNode } from "../../lib/index.js";
import { hostileChildArena, hostileHello } from "./hostile-child-arena.js";
import { settle, type TestLink } from "./tree-fixture.js";

let open: Array<LocalNode | TestLink> = [];
afterEach(async () => {
  for (const thing of open.reverse()) await thing.close();
  open = [];
});

/** The arena, its hostile parents with a short keep-alive. */
async function arena() {
  const arena = await hostileChildArena(open);
  return { ...arena, hostile: () => arena.hostile({ keepAliveMs: 50 }) };
}

describe("bad input from a child closes only its link", () => {
  it("a message out of protocol order", async () => {
    const { stillServed, hostile } = await arena();
    const { parent, memory } = hostile();
    // Open before Hello: raw frames through a second endpoint that skipped the handshake.
    memory.a.send(new Uint8Array([0, 0, 0, 7, 2, 123, 125])); // session 0, lane 0, label 7, payload "{}"
    expect(String(await parent.closed)).toMatch(/LabelMismatch|label|expected/i);
    await stillServed(1);
  });

  it("a descriptor over the limits", async () => {
    const { stillServed, hostile } = await arena();
    const { parent, child } = hostile();
    child.send("Hello", hostileHello);
    await child.offer().then((answer) => answer.recv());
    const deep: unknown = JSON.parse("[".repeat(50) + "]".repeat(50));
    child.lane("interests").send("Open", { session: 1, object: { tags: [], json: deep }, observed: true, capacity: 0 } as never);
    const error = await parent.closed;
    expect(error?.name).toBe("SchemaMismatch");
    expect(String(error?.cause ?? error)).toMatch(/deeper than/);
    await stillServed(2);
  });

  it("a malformed state in one object's session ends that session only", async () => {
    const { root, stillServed, hostile } = await arena();
    const { parent, child } = hostile();
    child.send("Hello", hostileHello);
    await child.offer().then((answer) => answer.recv());
    const interests = child.lane("interests");
    const good = interests.send("Open", { session: 1, object: root.object([], "good").expose().descriptor, observed: true, capacity: 0 });
    const bad = interests.send("Open", { session: 2, object: root.object([], "bad").expose().descriptor, observed: false, capacity: 1 });
    await settle();
    bad.lane("up").send("StateUp", { v: [1], s: true, p: [{ op: "explode", path: "x" }] } as never);
    expect((await bad.closed)?.name).toBe("SessionFault");
    expect(parent.peerName).toBe("hostile");
    expect(good.state).toBe("open");
    await stillServed(3);
    await parent.close();
  });

  it("a speaker of another protocol version is refused and logged, others unaffected", async () => {
    const { stillServed, hostile } = await arena();
    const { parent, child } = hostile();
    child.send("Hello", { ...hostileHello, program: "0000000000000000" });
    const answer = await child.offer();
    expect(answer.label).toBe("Refuse");
    expect(String(await parent.closed)).toMatch(/protocol mismatch/);
    await stillServed(4);
  });

  it("garbage bytes", async () => {
    const { stillServed, hostile } = await arena();
    const { parent, memory } = hostile();
    memory.a.send(new Uint8Array([255, 255, 255, 255, 255, 255, 1, 2, 3]));
    expect(await parent.closed).toBeInstanceOf(Error);
    await stillServed(5);
  });
});
