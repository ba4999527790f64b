import { afterEach, describe, expect, it } from "vitest";
import { LocalNode, type ObjectState } from "../../lib/index.js";
import { LinkRefusedError } from "../../lib/sync/link-refused-error.js";
import { link, nodes, settle, TestLink } from "./tree-fixture.js";

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

  it("a parent speaking another protocol refuses the link with a reason; the child stops", async () => {
    const [root, leaf] = nodes("root", "leaf") as LocalNode[];
    open.push(root!, leaf!);
    const { PROTOCOL_VERSION } = await import("../../lib/sync/protocol.js");
    const messages = await import("../../lib/sync/protocol.js");
    void messages;
    const lines: string[] = [];
    const wire = new TestLink(root!, leaf!, { log: (line) => lines.push(line) });
    // Pretend the child is a newer version: patch the Hello it sends.
    const original = (await import("../../lib/choreography/endpoint.js")).Endpoint.prototype.send;
    const patched = function (this: unknown, label: string, payload: Record<string, unknown>) {
      if (label === "Hello") payload = { ...payload, protocol: PROTOCOL_VERSION + 1 };
      return (original as (this: unknown, l: string, p: unknown) => unknown).call(this, label, payload);
    };
    const { Endpoint } = await import("../../lib/choreography/endpoint.js");
    (Endpoint.prototype as unknown as { send: unknown }).send = patched;
    try {
      wire.connect();
      const result = await wire.generation;
      expect(result).toBeInstanceOf(LinkRefusedError);
      expect((result as LinkRefusedError).reason).toMatch(/protocol mismatch/);
      expect(lines.join("\n")).toMatch(/refused/);
      expect(await wire.downstream!.closed).toBeInstanceOf(Error);
    } finally {
      (Endpoint.prototype as unknown as { send: unknown }).send = original;
    }
    open.push(wire);
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
