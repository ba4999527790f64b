/**
 * A link's data limits bound every state its peer sends, whole or as the result of a patch: a state over
 * them is never held, and the link closes with one error naming the object, the size and the limit,
 * while the node's other links keep working.
 */
import { afterEach, describe, expect, it } from "vitest";
import { LocalNode } from "../../lib/index.js";
import type { LinkOptions } from "../../lib/sync/link-options.js";
import { hostileChildArena } from "./hostile-child-arena.js";
import { link, settle, type TestLink } from "./tree-fixture.js";

let open: Array<LocalNode | TestLink> = [];
afterEach(async () => {
  for (const thing of open.reverse()) await thing.close();
  open = [];
});

/** Rows of about `length` characters of JSON in all, in an object with a list. */
function rows(count: number, width = 40): { rows: string[] } {
  return { rows: Array.from({ length: count }, (_, i) => `${i}`.padEnd(width, ".")) };
}

/** A root, a healthy child observing what the root exposes, and a child linked with `options`. */
async function arena(options: LinkOptions) {
  const { root, stillServed } = await hostileChildArena(open);
  const peer = new LocalNode({ name: "peer" });
  const wire = link(root, peer, options);
  open.push(peer, wire);
  return { root, peer, wire, stillServed };
}

describe("a link's data limits", () => {
  it("a full state over maxLength closes the link, naming the object, the size and the limit; it is never held", async () => {
    const { root, peer, wire, stillServed } = await arena({ dataLimits: { maxLength: 1000 } });
    const observe = root.object([], "big").observe<{ rows: string[] }>();
    const data = rows(30);
    peer.object([], "big").expose().set(data);
    const error = await wire.downstream!.closed;
    const length = JSON.stringify(data).length;
    expect(error?.message).toContain(
      `Object "big": the peer sent a state of ${length} characters of JSON, more than maxLength (1000), over this link's data limits`,
    );
    expect(observe.state).toBeUndefined();
    await stillServed(1);
  });

  it("bytes (a format other than JSON) over maxLength close the link the same way, counted in bytes", async () => {
    const { root, peer, wire, stillServed } = await arena({ dataLimits: { maxLength: 1000 } });
    const observe = root.object([], "blob").observe<Uint8Array>();
    const expose = peer.object([], "blob").expose<Uint8Array>();
    expose.set(new Uint8Array(1000));
    await settle();
    expect(observe.data).toEqual(new Uint8Array(1000));
    expose.set(new Uint8Array(1001));
    const error = await wire.downstream!.closed;
    expect(error?.message).toContain(`Object "blob": the peer sent a state of 1001 bytes, more than maxLength (1000), over this link's data limits`);
    expect(observe.data).toEqual(new Uint8Array(1000));
    await stillServed(4);
  });

  it("a patch whose result would be over maxLength is refused before it is held: the last state within the limits stays", async () => {
    const { root, peer, wire, stillServed } = await arena({ dataLimits: { maxLength: 1000 } });
    const observe = root.object([], "grows").observe<{ rows: string[] }>();
    const expose = peer.object([], "grows").expose<{ rows: string[] }>();
    const within = rows(20);
    expose.set(within);
    await settle();
    expect(observe.data).toEqual(within);
    const over = { rows: [...within.rows, "x".repeat(200)] }; // a patch of one add, a fifth of the state
    expose.set(over);
    const error = await wire.downstream!.closed;
    expect(error?.message).toContain(
      `Object "grows": the peer sent a patch whose result would be ${JSON.stringify(over).length} characters of JSON, more than maxLength (1000)`,
    );
    expect(observe.data).toEqual(within);
    await stillServed(2);
  });

  it("a patch whose result would nest deeper than maxDepth is refused the same way", async () => {
    const { root, peer, wire, stillServed } = await arena({ dataLimits: { maxDepth: 4 } });
    const observe = root.object([], "deepens").observe();
    const expose = peer.object([], "deepens").expose();
    const filler = "f".repeat(300); // so that the change goes as a patch
    expose.set({ filler, a: { b: {} } });
    await settle();
    expect(observe.data).toEqual({ filler, a: { b: {} } });
    expose.set({ filler, a: { b: { c: [[1]] } } });
    const error = await wire.downstream!.closed;
    expect(error?.message).toContain(`Object "deepens": the peer sent a patch whose result would be 5 levels deep, deeper than maxDepth (4)`);
    expect(observe.data).toEqual({ filler, a: { b: {} } });
    await stillServed(3);
  });

  it("states from the parent are bound by the child's end of the link", async () => {
    const root = new LocalNode({ name: "root" });
    const leaf = new LocalNode({ name: "leaf" });
    const wire = link(root, leaf, { dataLimits: { maxLength: 500 } });
    open.push(root, leaf, wire);
    const observe = leaf.object([], "down").observe<{ rows: string[] }>();
    const expose = root.object([], "down").expose<{ rows: string[] }>();
    expose.set(rows(5));
    await settle();
    expect(observe.data).toEqual(rows(5));
    expose.set(rows(20));
    const error = await wire.generation;
    expect(error?.message).toContain(`Object "down": the peer sent a state of ${JSON.stringify(rows(20)).length} characters of JSON, more than maxLength (500)`);
    expect(observe.data).toEqual(rows(5));
  });
});
