/**
 * What a parent sends a child, spoken by hand, that reopens objects and answers states in ways an honest
 * child would not: full states go no faster than the object changes. A reopen naming the version the
 * child holds gets the flag, or a diff against what an earlier session sent; a second Open of an object
 * whose session is live closes the link instead of restarting its states; acknowledgements that ask
 * for nothing change nothing, and asking for the full state again and again gets one per version.
 */
import { afterEach, expect, it } from "vitest";
import { LocalNode, ObjectDescriptor } from "../../lib/index.js";
import { HandChild } from "./hand-child.js";
import { settle } from "./tree-fixture.js";

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** A root exposing one object of about 1 KB, and a hand-spoken child linked to it. */
async function setUp() {
  const root = new LocalNode({ name: "root" });
  const child = await HandChild.link(root, "hand");
  cleanup.push(() => root.close(), () => child.close());
  const descriptor = new ObjectDescriptor([], "watched");
  const exposer = root.object(descriptor).expose<{ n: number; text: string }>();
  const set = (n: number) => exposer.set({ n, text: "t".repeat(1000) }, { version: [n] });
  set(1);
  return { root, child, descriptor, set };
}

const observing = { observed: true, capacity: 0 };

it("sends only the flag to a child that reopens an object holding its current version, over and over", async () => {
  const { child, descriptor } = await setUp();
  const first = child.open(descriptor, observing);
  await settle();
  expect(first.fullStates).toHaveLength(1);
  let epoch = first.fullStates[0]!.e;
  first.close();
  for (let i = 0; i < 20; i++) {
    const again = child.open(descriptor, { ...observing, have: [1], epoch });
    await settle(2);
    // The flag (synchronized again once the exposer is assigned again, in a new election), never the data.
    expect(again.states.length).toBeGreaterThan(0);
    for (const state of again.states) expect(state).toEqual({ v: [1], e: expect.any(Number), s: expect.any(Boolean) });
    epoch = again.states.at(-1)!.e;
    again.close();
  }
  expect(child.parentMux.stats.bytesOut).toBeLessThan(8 * 1024);
});

it("sends only the flag to a child whose first Open names the current version", async () => {
  const { root, child, descriptor } = await setUp();
  root.object(descriptor).observe(); // the exposer publishes: version 1 is the object's state here
  await settle();
  const session = child.open(descriptor, { ...observing, have: [1], epoch: 1 }); // the root's first election
  await settle();
  expect(session.states.length).toBeGreaterThan(0);
  for (const state of session.states) expect(state).toEqual({ v: [1], e: 1, s: expect.any(Boolean) });
});

it("sends a diff to a child that reopens an object holding what an earlier session sent, after it changed", async () => {
  const { root, child, descriptor, set } = await setUp();
  root.object(descriptor).observe(); // keeps the exposer assigned (and publishing) while the child is away
  const first = child.open(descriptor, observing);
  await settle();
  const epoch = first.fullStates[0]!.e;
  first.close();
  await settle();
  set(2);
  const again = child.open(descriptor, { ...observing, have: [1], epoch });
  await settle();
  expect(again.states).toEqual([expect.objectContaining({ v: [2], b: [1], p: expect.any(Array) })]);
});

it("closes the link of a child that opens an object again while its session is live, without restarting its states", async () => {
  const { child, descriptor } = await setUp();
  const first = child.open(descriptor, observing);
  await settle();
  const second = child.open(descriptor, observing);
  const error = await child.parent.closed;
  expect(error?.message).toContain(`the child opened ${descriptor.key} again while its session was open; a child has one session per object`);
  expect(first.fullStates.length + second.fullStates.length).toBe(1);
});

it("sends each change at once as a diff whatever the child acknowledges, and answers resyncs with one full state per version", async () => {
  const { child, descriptor, set } = await setUp();
  const session = child.open(descriptor, observing);
  await settle();
  for (let n = 2; n <= 40; n++) {
    set(n);
    await settle(1);
    session.ack({}); // "acknowledges" without saying what
  }
  await settle();
  // Every change, each on its own (nothing holds the link back), the first in full: the blind acks asked for nothing.
  expect(session.states.map((state) => state.v[0])).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  expect(session.fullStates).toHaveLength(1);

  for (let n = 41; n <= 60; n++) {
    set(n);
    await settle(1);
    for (let i = 0; i < 5; i++) session.ack({ resync: true }); // asks for the full state, again and again
    await settle(1);
  }
  await settle();
  // At most one full state of each version, however often it was asked for.
  const fullVersions = session.fullStates.map((state) => state.v[0]);
  expect(fullVersions.length).toBeGreaterThan(1);
  expect(new Set(fullVersions).size).toBe(fullVersions.length);
  expect(session.states.at(-1)!.v).toEqual([60]);
});
