import { afterEach, describe, expect, it } from "vitest";
import { LocalNode, type ObjectState } from "../../lib/index.js";
import { LinkRefusedError } from "../../lib/sync/link-refused-error.js";
import { createSessionMux } from "../../bindings/session-mux.js";
import { createEndpoint } from "../../lib/choreography/index.js";
import { DownstreamLink } from "../../lib/sync/down/downstream-link.js";
import { downProgram, PROGRAM_HASH, PROTOCOL_VERSION, upProgram } from "../../lib/sync/protocol.js";
import { UpstreamLink } from "../../lib/sync/up/upstream-link.js";
import { createMemoryCarrierPair } from "../../transports/memory-carrier.js";
import { link, nodes, settle, type TestLink } from "./tree-fixture.js";

let open: Array<LocalNode | TestLink> = [];
afterEach(async () => {
  for (const thing of open.reverse()) await thing.close();
  open = [];
});

function track<T>(observe: { onChange(cb: (s: ObjectState<T> | undefined) => void): () => void }): string[] {
  const seen: string[] = [];
  observe.onChange((s) => seen.push(s === undefined ? "undefined" : `${JSON.stringify(s.data)}/${s.synchronized}`));
  return seen;
}

describe("partition and reconnect", () => {
  it("a cut-off subtree keeps serving its own observers from its own exposers, then converges", async () => {
    const [root, mid, leafA, leafB] = nodes("root", "mid", "leafA", "leafB") as LocalNode[];
    const up = link(root!, mid!);
    const wires = [up, link(mid!, leafA!), link(mid!, leafB!)];
    open.push(root!, mid!, leafA!, leafB!, ...wires);
    const rootExposer = root!.object([], "p").expose<string>();
    const localExposer = leafA!.object([], "p").expose<string>();
    rootExposer.set("root");
    localExposer.set("local");
    const observe = leafB!.object([], "p").observe<string>();
    await settle();
    expect([rootExposer.assigned, localExposer.assigned].filter(Boolean)).toHaveLength(1);
    await up.cut();
    await settle();
    // Partition: the subtree elects its own exposer and its observer is served.
    expect(localExposer.assigned).toBe(true);
    localExposer.set("during partition");
    await settle();
    expect(observe.state).toMatchObject({ data: "during partition", synchronized: true });
    up.connect();
    await settle(40);
    expect([rootExposer.assigned, localExposer.assigned].filter(Boolean)).toHaveLength(1);
    const winner = rootExposer.assigned ? rootExposer : localExposer;
    winner.set("after");
    await settle();
    expect(observe.state).toMatchObject({ data: "after", synchronized: true });
  });

  it("reconnect without flicker: observers keep their data (synchronized false → true), never undefined", async () => {
    const [root, leaf] = nodes("root", "leaf") as LocalNode[];
    const wire = link(root!, leaf!);
    open.push(root!, leaf!, wire);
    const expose = root!.object([], "r").expose<{ n: number }>();
    const observe = leaf!.object([], "r").observe<{ n: number }>();
    expose.set({ n: 1 });
    await settle();
    const seen = track(observe);
    await wire.cut();
    await settle();
    expect(observe.state).toMatchObject({ data: { n: 1 }, synchronized: false });
    wire.connect();
    await settle(40);
    expect(observe.state).toMatchObject({ data: { n: 1 }, synchronized: true });
    expect(seen).toEqual(['{"n":1}/false', '{"n":1}/true']);
  });

  it("after a reconnect, changes made while disconnected arrive as a diff, not the full state", async () => {
    const [root, leaf] = nodes("root", "leaf") as LocalNode[];
    const wire = link(root!, leaf!);
    open.push(root!, leaf!, wire);
    const big = { rows: Array.from({ length: 500 }, (_, i) => ({ id: i, name: `row number ${i}`, value: i * 3 })) };
    const expose = root!.object([], "big").expose<typeof big>();
    const observe = leaf!.object([], "big").observe<typeof big>();
    expose.set(big);
    await settle();
    await wire.cut();
    let data = big;
    for (let i = 0; i < 10; i++) {
      data = { rows: data.rows.map((row, j) => (j === i ? { ...row, value: -(i + 1) } : row)) };
      expose.set(data);
    }
    wire.connect();
    await settle(40);
    expect(observe.data).toEqual(data);
    const full = JSON.stringify(big).length;
    const resent = wire.memory!.faults.counters.bToA.bytesSent;
    expect(resent).toBeLessThan(full * 0.05);
  });

  it("a parent refuses a child speaking another protocol version, with a reason", async () => {
    const [root] = nodes("root") as LocalNode[];
    open.push(root!);
    const memory = createMemoryCarrierPair();
    const parent = new DownstreamLink(root!, createSessionMux(memory.b));
    const child = createEndpoint(downProgram, createSessionMux(memory.a));
    child.send("Hello", { protocol: PROTOCOL_VERSION + 1, program: PROGRAM_HASH, node: "future", resume: "t" });
    const answer = await child.offer();
    expect(answer.label).toBe("Refuse");
    const refusal = answer.label === "Refuse" ? answer.recv().reason : "";
    expect(refusal).toMatch(new RegExp(`protocol mismatch.*speaks ${PROTOCOL_VERSION + 1}`));
    expect(String(await parent.closed)).toMatch(/refused future/);
    memory.a.close();
  });

  it("a child refused by its parent resolves with LinkRefusedError, logs the reason, and stops", async () => {
    const [leaf] = nodes("leaf") as LocalNode[];
    open.push(leaf!);
    const lines: string[] = [];
    const upstream = new UpstreamLink(leaf!, { log: (line) => lines.push(line) });
    const memory = createMemoryCarrierPair();
    const fakeParent = createEndpoint(upProgram, createSessionMux(memory.b));
    const result = upstream.run(createSessionMux(memory.a));
    await fakeParent.recv("Hello");
    fakeParent.send("Refuse", { reason: "no children accepted" });
    const error = await result;
    expect(error).toBeInstanceOf(LinkRefusedError);
    expect((error as LinkRefusedError).reason).toBe("no children accepted");
    expect(lines.join("\n")).toMatch(/refused the link: no children accepted/);
    await upstream.close();
    memory.a.close();
  });

  it("keep-alive detects a dead peer on a silently dropped connection", async () => {
    const [root, leaf] = nodes("root", "leaf") as LocalNode[];
    const wire = link(root!, leaf!, { keepAliveMs: 20 });
    open.push(root!, leaf!, wire);
    await settle();
    wire.memory!.faults.drop();
    const [childResult, parentResult] = await Promise.all([wire.generation, wire.downstream!.closed]);
    expect(String(childResult)).toMatch(/keep-alive/);
    expect(String(parentResult)).toMatch(/keep-alive/);
  });

  it("a slow link skips intermediate versions; the latest always arrives", async () => {
    const [root, leaf] = nodes("root", "leaf") as LocalNode[];
    const wire = link(root!, leaf!);
    open.push(root!, leaf!, wire);
    const expose = root!.object([], "fast").expose<number>();
    const observe = leaf!.object([], "fast").observe<number>();
    expose.set(0);
    await settle();
    wire.memory!.faults.pause("bToA");
    wire.memory!.faults.resetCounters();
    for (let i = 1; i <= 1000; i++) expose.set(i);
    await settle(5);
    const queued = wire.memory!.faults.counters.bToA.messagesSent;
    expect(queued).toBeLessThanOrEqual(8);
    wire.memory!.faults.resume("bToA");
    await settle(40);
    expect(observe.data).toBe(1000);
  });
});
