/**
 * Bad states on a live link: a state the wire cannot decode ends the link that sent it, with an error
 * naming the object and the fault; a payload that is not bytes ends its object session (the schema
 * refuses it before any decoding); a state for an object session never opened ends the link. The
 * parent's other links go on.
 */
import { afterEach, expect, it } from "vitest";
import type { LocalNode } from "../../../lib/index.js";
import { hostileChildArena, hostileHello } from "../hostile-child-arena.js";
import { settle, type TestLink } from "../tree-fixture.js";
import { versionCheck } from "../../../lib/sync/wire/state-codec.js";
import { wireState } from "./plain-states.js";

let open: Array<LocalNode | TestLink> = [];
afterEach(async () => {
  for (const thing of open.reverse()) await thing.close();
  open = [];
});

/** The arena with a hostile child welcomed beside the healthy one, its object session opened on an object the root exposes. */
async function arena() {
  const { root, stillServed, hostile } = await hostileChildArena(open);
  const { parent, childMux, child } = hostile();
  child.send("Hello", hostileHello);
  await child.offer().then((answer) => answer.recv());
  const exposed = root.object([], "pushed").expose().descriptor;
  const session = child.lane("interests").send("Open", { session: 1, object: exposed, observed: false, capacity: 1 });
  await settle();
  return { parent, childMux, session, stillServed };
}

it("a state the wire cannot decode ends the link, naming the object and the fault", async () => {
  const { parent, session, stillServed } = await arena();
  session.lane("up").send("StateUp", wireState({ v: [1], s: true, d: { a: 1 } }));
  // A diff against version [1] (same length, component +1) replacing the path of index 5, never defined.
  session.lane("up").send("StateUp", Uint8Array.of(0x02 | 0x40, versionCheck([1]), 0x02, 0x80 | 5, 0x80));
  const error = await parent.closed;
  expect(String(error)).toMatch(/Object .*pushed.*: the peer sent a state that cannot be decoded \(a reference to path 5, never defined/);
  await stillServed(1);
});

it("a full state with bytes after it ends the link", async () => {
  const { parent, session, stillServed } = await arena();
  const full = wireState({ v: [1], s: true, d: { a: 1 } });
  session.lane("up").send("StateUp", Uint8Array.of(...full, 0));
  expect(String(await parent.closed)).toMatch(/cannot be decoded \(1 bytes follow the state/);
  await stillServed(2);
});

it("a state that is not bytes ends its session, a state for a session never opened ends the link", async () => {
  const { parent, childMux, session, stillServed } = await arena();
  // The frame a real StateUp makes, then the same on session 9, which no Open announced.
  const frames: Array<[number, number]> = [];
  const send = childMux.send.bind(childMux);
  childMux.send = (id, lane, label, payload) => (frames.push([lane, label]), send(id, lane, label, payload));
  session.lane("up").send("StateUp", { v: [1], s: true, d: 1 } as never);
  expect((await session.closed)?.name).toBe("SessionFault");
  expect(parent.peerName).toBe("hostile");
  const [lane, label] = frames[0]!;
  send(9, lane, label, wireState({ v: [1], s: true, d: 1 }));
  expect(String(await parent.closed)).toMatch(/session 9/);
  await stillServed(3);
});
