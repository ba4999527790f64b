/**
 * The round trip of a link: the child times its Pings to their Pongs and reports what it measured in
 * its next Ping, so the parent knows it too; the field is hostile input like any other.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createSessionMux } from "../../bindings/session-mux.js";
import { createEndpoint } from "../../lib/choreography/index.js";
import { LocalNode } from "../../lib/index.js";
import { DownstreamLink } from "../../lib/sync/down/downstream-link.js";
import { MAX_ROUND_TRIP_MS, Ping } from "../../lib/sync/messages.js";
import { downProgram, PROGRAM_HASH, PROTOCOL_VERSION } from "../../lib/sync/protocol.js";
import { createMemoryCarrierPair } from "../../transports/memory-carrier.js";
import { link, type TestLink } from "./tree-fixture.js";

let open: Array<LocalNode | TestLink> = [];
afterEach(async () => {
  for (const thing of open.reverse()) await thing.close();
  open = [];
});

/** Resolves once `condition` holds, looking again on every timer turn. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe("Ping's round trip field", () => {
  it("is absent, or a finite number of milliseconds from 0 to MAX_ROUND_TRIP_MS", () => {
    expect(Ping.schema.parse({})).toEqual({});
    for (const rtt of [0, 0.25, 12.5, MAX_ROUND_TRIP_MS]) expect(Ping.schema.parse({ rtt })).toEqual({ rtt });
    for (const rtt of [-1, -0.001, Number.NaN, Number.POSITIVE_INFINITY, "5", null, true, [1], { ms: 1 }]) {
      expect(() => Ping.schema.parse({ rtt }), JSON.stringify(rtt)).toThrow("Ping.rtt must be a non-negative finite number");
    }
    expect(() => Ping.schema.parse({ rtt: MAX_ROUND_TRIP_MS + 1 })).toThrow(`Ping.rtt must be at most ${MAX_ROUND_TRIP_MS} milliseconds`);
    expect(() => Ping.schema.parse({ rtt: 1e300 })).toThrow(/at most/);
  });

  it("from a child is taken by the parent when valid, and a hostile one closes the child's link", async () => {
    const root = new LocalNode({ name: "root" });
    open.push(root);
    const memory = createMemoryCarrierPair();
    const parent = new DownstreamLink(root, createSessionMux(memory.b));
    const child = createEndpoint(downProgram, createSessionMux(memory.a), { checkOutbound: false });
    child.send("Hello", { protocol: PROTOCOL_VERSION, program: PROGRAM_HASH, node: "pinger", resume: "x" });
    await child.offer().then((answer) => answer.recv());
    const interests = child.lane("interests");
    expect(parent.roundTripMs).toBeUndefined();
    interests.send("Ping", {});
    await child.lane("decisions").recv("Pong");
    expect(parent.roundTripMs).toBeUndefined();
    interests.send("Ping", { rtt: 12.5 });
    await child.lane("decisions").recv("Pong");
    expect(parent.roundTripMs).toBe(12.5);
    interests.send("Ping", { rtt: -3 } as never);
    const error = await parent.closed;
    expect(error?.name).toBe("SchemaMismatch");
    expect(String(error?.cause ?? error)).toMatch(/Ping\.rtt must be a non-negative finite number/);
    expect(parent.roundTripMs).toBe(12.5);
  });
});

describe("a link's round trip", () => {
  it("is measured by the child from Ping to Pong, and known to the parent from the child's next Ping", async () => {
    const root = new LocalNode({ name: "root" });
    const leaf = new LocalNode({ name: "leaf" });
    open.push(root, leaf);
    const wire = link(root, leaf, { keepAliveMs: 10, deadAfterMs: 10_000 });
    open.push(wire);
    // Each way takes 30 ms from the handshake on, while the child pings every 10 ms: Pings queue up
    // unanswered, and each one timed must be matched with its own Pong, never with an earlier Ping's.
    wire.memory!.faults.delay(30);
    const measured = new Set<number>();
    await until(() => {
      const rtt = wire.upstream.roundTripMs;
      if (rtt !== undefined) measured.add(rtt);
      return measured.size >= 4;
    });
    // Timers may fire a millisecond early each way.
    for (const rtt of measured) expect(rtt).toBeGreaterThanOrEqual(57);
    await until(() => wire.downstream!.roundTripMs !== undefined);
    expect(wire.downstream!.roundTripMs).toBeGreaterThanOrEqual(57);
  });

  it("survives a reconnect: the last one measured is kept until a new one is", async () => {
    const root = new LocalNode({ name: "root" });
    const leaf = new LocalNode({ name: "leaf" });
    open.push(root, leaf);
    const wire = link(root, leaf, { keepAliveMs: 10, deadAfterMs: 10_000 });
    open.push(wire);
    await until(() => wire.upstream.roundTripMs !== undefined);
    await wire.cut();
    expect(wire.upstream.roundTripMs).toBeDefined();
  });
});
