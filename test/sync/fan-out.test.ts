import { afterEach, expect, it } from "vitest";
import { jsonCodec } from "../../bindings/json-codec.js";
import type { PayloadCodec } from "../../bindings/payload-codec.js";
import { createSessionMux } from "../../bindings/session-mux.js";
import { LocalNode } from "../../lib/index.js";
import { DownstreamLink } from "../../lib/sync/down/downstream-link.js";
import { UpstreamLink } from "../../lib/sync/up/upstream-link.js";
import { createMemoryCarrierPair } from "../../transports/memory-carrier.js";
import { settle } from "./tree-fixture.js";

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup.length = 0;
});

it("fan-out encodes an update once and sends the same bytes to every child at the same base", async () => {
  const encoded: unknown[] = [];
  const counting: PayloadCodec = { name: "json", encode: (value) => (encoded.push(value), jsonCodec.encode(value)), decode: jsonCodec.decode };
  const root = new LocalNode({ name: "root" });
  const children = [1, 2, 3, 4].map((i) => new LocalNode({ name: `child-${i}` }));
  const sent: Uint8Array[][] = children.map(() => []);
  for (const [i, child] of children.entries()) {
    const memory = createMemoryCarrierPair();
    const parentEnd = memory.b;
    const originalSend = parentEnd.send.bind(parentEnd);
    parentEnd.send = (bytes) => (sent[i]!.push(bytes), originalSend(bytes));
    const down = new DownstreamLink(root, createSessionMux(parentEnd, { codec: counting, compression: false }));
    const up = new UpstreamLink(child);
    const generation = up.run(createSessionMux(memory.a));
    cleanup.push(async () => {
      await up.close();
      await generation;
      await down.closed;
    });
  }
  cleanup.push(() => root.close());
  const expose = root.object([], "shared").expose<{ items: number[] }>();
  const observers = children.map((child) => child.object([], "shared").observe<{ items: number[] }>());
  expose.set({ items: Array.from({ length: 200 }, (_, i) => i) });
  await settle();
  encoded.length = 0;
  for (const s of sent) s.length = 0;
  const next = { items: Array.from({ length: 200 }, (_, i) => (i === 7 ? -7 : i)) };
  expose.set(next);
  await settle();
  for (const observe of observers) expect(observe.data).toEqual(next);
  const states = encoded.filter((payload) => typeof payload === "object" && payload !== null && "v" in payload);
  expect(states).toHaveLength(1); // one diff, encoded once for four links
  expect((states[0] as { p?: unknown }).p).toBeDefined();
  // and the very same frame bytes went to every child
  const frames = sent.map((messages) => messages.map((bytes) => [...bytes].join(",")));
  for (const f of frames.slice(1)) expect(f).toEqual(frames[0]);
});
