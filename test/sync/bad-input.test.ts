import { afterEach, describe, expect, it } from "vitest";
import { createSessionMux } from "../../bindings/session-mux.js";
import { createEndpoint } from "../../lib/choreography/index.js";
import { LocalNode } from "../../lib/index.js";
import { DownstreamLink } from "../../lib/sync/down/downstream-link.js";
import { downProgram, PROGRAM_HASH, PROTOCOL_VERSION } from "../../lib/sync/protocol.js";
import { createMemoryCarrierPair } from "../../transports/memory-carrier.js";
import { link, settle, type TestLink } from "./tree-fixture.js";

let open: Array<LocalNode | TestLink> = [];
afterEach(async () => {
  for (const thing of open.reverse()) await thing.close();
  open = [];
});

/** A parent with a healthy child observing a counter, and a way to attach hostile children. */
async function arena() {
  const root = new LocalNode({ name: "root" });
  const healthy = new LocalNode({ name: "healthy" });
  const wire = link(root, healthy);
  open.push(root, healthy, wire);
  const expose = root.object([], "counter").expose<number>();
  const observe = healthy.object([], "counter").observe<number>();
  expose.set(0);
  await settle();
  expect(observe.data).toBe(0);
  /** The healthy child still gets updates. */
  const stillServed = async (value: number) => {
    expose.set(value);
    await settle();
    expect(observe.data).toBe(value);
    expect(wire.upstream.connected).toBe(true);
  };
  const hostile = () => {
    const memory = createMemoryCarrierPair();
    const parent = new DownstreamLink(root, createSessionMux(memory.b), { keepAliveMs: 50 });
    return { memory, parent, child: createEndpoint(downProgram, createSessionMux(memory.a), { checkOutbound: false }) };
  };
  return { root, stillServed, hostile };
}

const hello = { protocol: PROTOCOL_VERSION, program: PROGRAM_HASH, node: "hostile", resume: "x" };

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
    child.send("Hello", hello);
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
    child.send("Hello", hello);
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
    child.send("Hello", { ...hello, program: "0000000000000000" });
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
