/**
 * Keep-alive over memory links, on real timers: an idle healthy link outlives deadAfterMs many times
 * over, and anything a peer sends counts as a sign of life, not only its pings.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createSessionMux } from "../../bindings/session-mux.js";
import { createEndpoint } from "../../lib/choreography/index.js";
import { LocalNode } from "../../lib/index.js";
import { DownstreamLink } from "../../lib/sync/down/downstream-link.js";
import { downProgram, PROGRAM_HASH, PROTOCOL_VERSION } from "../../lib/sync/protocol.js";
import { createMemoryCarrierPair } from "../../transports/memory-carrier.js";
import { link, type TestLink } from "./tree-fixture.js";

let open: Array<LocalNode | TestLink> = [];
afterEach(async () => {
  for (const thing of open.reverse()) await thing.close();
  open = [];
});

/** Resolves once `condition` holds, looking after each macrotask. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise<void>((resolve) => setTimeout(resolve, 1));
}

describe("keep-alive on a link", () => {
  it("a healthy idle link outlives deadAfterMs: each side hears the other's pings or pongs", async () => {
    const root = new LocalNode({ name: "root" });
    const leaf = new LocalNode({ name: "leaf" });
    const wire = link(root, leaf, { keepAliveMs: 20 }); // dead after 60 ms of silence
    open.push(root, leaf, wire);
    await until(() => wire.upstream.connected);
    const counters = wire.memory!.faults.counters;
    const pings = counters.aToB.messagesDelivered;
    const pongs = counters.bToA.messagesDelivered;
    // 15 pings each answered: some 300 ms, five times deadAfterMs.
    await until(() => counters.aToB.messagesDelivered >= pings + 15 && counters.bToA.messagesDelivered >= pongs + 15);
    expect(wire.upstream.connected).toBe(true);
    expect(wire.results).toEqual([]);
  });

  it("anything the child sends counts as heard: a child that never pings but keeps talking stays linked", async () => {
    const root = new LocalNode({ name: "root" });
    open.push(root);
    const memory = createMemoryCarrierPair();
    const parent = new DownstreamLink(root, createSessionMux(memory.b), { keepAliveMs: 20 });
    let ended = false;
    void parent.closed.then(() => (ended = true));
    const child = createEndpoint(downProgram, createSessionMux(memory.a), { checkOutbound: false });
    child.send("Hello", { protocol: PROTOCOL_VERSION, program: PROGRAM_HASH, node: "chatty", resume: "chatty" });
    await (await child.offer()).recv();
    const interests = child.lane("interests");
    let sent = 0;
    const talk = setInterval(() => {
      interests.send("TagInterest", { tag: `t${sent % 3}`, observed: sent % 2 === 0, capacity: 0 } as never);
      sent++;
    }, 10);
    try {
      await until(() => sent >= 30 || ended); // some 300 ms without a ping, five times deadAfterMs
      expect(ended).toBe(false);
    } finally {
      clearInterval(talk);
    }
    // Silent from now on: then it is dead.
    expect(String(await parent.closed)).toMatch(/no keep-alive from chatty for \d+ ms/);
    memory.a.close();
  });
});
