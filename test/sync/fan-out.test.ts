import { afterEach, expect, it } from "vitest";
import { createSessionMux } from "../../bindings/session-mux.js";
import { LocalNode } from "../../lib/index.js";
import { DownstreamLink } from "../../lib/sync/down/downstream-link.js";
import { UpstreamLink } from "../../lib/sync/up/upstream-link.js";
import { isDiff } from "../../lib/sync/wire/state-codec.js";
import { createMemoryCarrierPair } from "../../transports/memory-carrier.js";
import { settle } from "./tree-fixture.js";

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup.length = 0;
});

it("fan-out encodes an update once and sends the same bytes to every child at the same base", async () => {
  // What the parent's links hand their muxes: states go as bytes of the state wire, past the payload codec.
  const payloads: unknown[] = [];
  const root = new LocalNode({ name: "root" });
  const children = [1, 2, 3, 4].map((i) => new LocalNode({ name: `child-${i}` }));
  const sent: Uint8Array[][] = children.map(() => []);
  for (const [i, child] of children.entries()) {
    const memory = createMemoryCarrierPair();
    const parentEnd = memory.b;
    const originalSend = parentEnd.send.bind(parentEnd);
    parentEnd.send = (bytes) => (sent[i]!.push(bytes), originalSend(bytes));
    const mux = createSessionMux(parentEnd, { compression: false });
    const muxSend = mux.send.bind(mux);
    mux.send = (session, lane, label, payload) => (payloads.push(payload), muxSend(session, lane, label, payload));
    const down = new DownstreamLink(root, mux);
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
  payloads.length = 0;
  for (const s of sent) s.length = 0;
  const next = { items: Array.from({ length: 200 }, (_, i) => (i === 7 ? -7 : i)) };
  expose.set(next);
  await settle();
  for (const observe of observers) expect(observe.data).toEqual(next);
  const states = payloads.filter((payload) => payload instanceof Uint8Array);
  expect(states).toHaveLength(4);
  expect(new Set(states).size).toBe(1); // one diff, encoded once for four links
  expect(isDiff(states[0]!)).toBe(true);
  // and the very same frame bytes went to every child
  const frames = sent.map((messages) => messages.map((bytes) => [...bytes].join(",")));
  for (const f of frames.slice(1)) expect(f).toEqual(frames[0]);
});
