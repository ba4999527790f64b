import { describe, expect, it } from "vitest";
import { LocalNode, ObjectDescriptor, TagMismatchError, type TagAssignment, type TagChange } from "../../lib/index.js";

describe("tag observe and expose on one node", () => {
  it("a tag observer sees every existing object with its tag, and observes it (so exposers are assigned)", () => {
    const node = new LocalNode();
    const a = node.object(["room"], "a").expose<string>();
    const b = node.object(["room", "other"], "b").expose<string>();
    node.object(["other"], "c").expose<string>();
    a.set("A");
    const observe = node.tag("room").observe<string>();
    expect(a.assigned && b.assigned).toBe(true);
    b.set("B");
    expect([...observe.objects.values()].map((o) => [o.descriptor.json, o.state?.data]).sort()).toEqual([
      ["a", "A"],
      ["b", "B"],
    ]);
    observe.terminate();
    expect(a.assigned || b.assigned).toBe(false);
  });

  it("changes$ replays one change per object with a state, then live changes and removals", () => {
    const node = new LocalNode();
    const a = node.object(["room"], "a").expose<number>();
    const watcher = node.object(["room"], "a").observe<number>();
    a.set(1);
    const observe = node.tag("room").observe<number>();
    const seen: Array<[unknown, unknown]> = [];
    observe.changes$.subscribe((c: TagChange<number>) => seen.push([c.descriptor.json, c.state?.data]));
    const b = node.object(["room"], "b").expose<number>();
    b.set(2);
    a.terminate();
    watcher.terminate();
    expect(seen).toEqual([
      ["a", 1],
      ["b", 2],
      ["a", 1], // desynchronized when its exposer left
      ["a", undefined], // gone
    ]);
  });

  it("a tag exposer is told its assignments and sets data for them", () => {
    const node = new LocalNode();
    const expose = node.tag("sensor").expose<number>();
    const events: TagAssignment[] = [];
    expose.onAssignment((a) => events.push(a));
    const o1 = node.object(["sensor"], 1).observe<number>();
    node.object(["sensor"], 2).observe<number>();
    expect(expose.assigned.map((d) => d.json).sort()).toEqual([1, 2]);
    expect(expose.set(new ObjectDescriptor(["sensor"], 1), 42)).toBe(true);
    expect(o1.data).toBe(42);
    o1.terminate();
    expect(events.map((e) => [e.descriptor.json, e.assigned])).toEqual([
      [1, true],
      [2, true],
      [1, false],
    ]);
  });

  it("a tag exposer keeps a value only while its object exists here, and drops it with the object", () => {
    const node = new LocalNode();
    const expose = node.tag("sensor").expose<{ n: number }>();
    const x = new ObjectDescriptor(["sensor"], "x");
    const nobodys = { n: 1 };
    expect(expose.set(x, nobodys)).toBe(false); // no such object here: nothing kept
    expect(Object.isFrozen(nobodys)).toBe(true); // validated and frozen all the same
    expect(node.stats().exposedValues).toBe(0);

    const other = node.object(["sensor"], "x").expose<{ n: number }>(); // the object exists now, unobserved
    expect(expose.set(x, { n: 2 })).toBe(true);
    expect(node.stats().exposedValues).toBe(1);
    const observe = node.object(["sensor"], "x").observe<{ n: number }>();
    expect(expose.assigned.map((d) => d.json)).toEqual(["x"]); // the tag exposer came first: elected
    expect(observe.data).toEqual({ n: 2 }); // the value kept while unassigned, published on assignment

    observe.terminate(); // unassigned, but the object still exists (its object exposer): value kept
    expect(node.stats().exposedValues).toBe(1);
    other.terminate(); // the object is gone, and the value with it
    expect(node.stats()).toMatchObject({ objects: 0, exposedValues: 0 });

    const again = node.object(["sensor"], "x").observe<{ n: number }>();
    expect(again.state).toBeUndefined(); // asked again (assigned), nothing stale published
    expect(expose.assigned.map((d) => d.json)).toEqual(["x"]);
  });

  it("refuses to set an object that does not carry the tag", () => {
    const node = new LocalNode();
    const expose = node.tag("sensor").expose<number>();
    expect(() => expose.set(new ObjectDescriptor(["other"], 1), 1)).toThrow(TagMismatchError);
  });

  it("the async iterator coalesces per object and never loses a removal", async () => {
    const node = new LocalNode();
    const observe = node.tag("t").observe<number>();
    const iterator = observe[Symbol.asyncIterator]();
    const expose = node.object(["t"], "x").expose<number>();
    for (let i = 1; i <= 100; i++) expose.set(i, { version: [i] });
    expose.terminate(); // removal
    const again = node.object(["t"], "x").expose<number>();
    again.set(7, { version: [200] });
    const got: Array<number | undefined> = [];
    for (let i = 0; i < 2; i++) got.push((await iterator.next()).value?.state?.data);
    expect(got).toEqual([undefined, 7]);
    observe.terminate();
    expect((await iterator.next()).done).toBe(true);
  });

  it("tag expose contracts balance load by capacity (1:3 over 40 objects → 10:30 within ±2)", () => {
    const node = new LocalNode();
    const small = node.tag("job").expose({ capacity: 1 });
    const large = node.tag("job").expose({ capacity: 3 });
    for (let i = 0; i < 40; i++) node.object(["job"], i).observe();
    expect(Math.abs(small.assigned.length - 10)).toBeLessThanOrEqual(2);
    expect(Math.abs(large.assigned.length - 30)).toBeLessThanOrEqual(2);
  });

  it("a late joiner takes over work past the threshold, approximately to its share", () => {
    const node = new LocalNode();
    const first = node.tag("job").expose({ capacity: 1 });
    for (let i = 0; i < 40; i++) node.object(["job"], i).observe();
    expect(first.assigned.length).toBe(40);
    const late = node.tag("job").expose({ capacity: 3 });
    expect(first.assigned.length + late.assigned.length).toBe(40);
    expect(Math.abs(late.assigned.length - 30)).toBeLessThanOrEqual(2);
  });

  it("no assignment moves for a small imbalance", () => {
    const node = new LocalNode();
    const first = node.tag("job").expose();
    node.object(["job"], 1).observe();
    expect(first.assigned.length).toBe(1);
    const second = node.tag("job").expose();
    expect(first.assigned.length).toBe(1);
    expect(second.assigned.length).toBe(0);
  });

  it("objects with the same tags share one tag list, and a tag that went and came back is the live one", () => {
    const node = new LocalNode();
    const entryOf = (json: string) => node.exchange.objects.get(new ObjectDescriptor(["room", "lobby"], json).key)!;
    const a = node.object(["lobby", "room"], "a").observe<string>();
    const b = node.object(["room", "lobby"], "b").observe<string>();
    expect(new ObjectDescriptor(["room", "lobby"], "x").tags).toBe(new ObjectDescriptor(["lobby", "room"], "y").tags);
    expect(entryOf("a").tags).toBe(entryOf("b").tags);
    a.terminate();
    b.terminate(); // every object of the tags gone: their tag entries go too
    expect(node.exchange.tags.size).toBe(0);
    const watch = node.tag("room").observe<string>();
    const seen: unknown[] = [];
    watch.changes$.subscribe((change) => seen.push(change.descriptor.json));
    const c = node.object(["room", "lobby"], "c").expose<string>();
    c.set("C");
    expect(entryOf("c").tags.map((tag) => tag.key).sort()).toEqual(['"lobby"', '"room"']);
    expect(entryOf("c").tags).toContain(node.exchange.tags.get('"room"'));
    expect(seen).toContain("c"); // the tag observer, on the new entry, sees the object
  });

  it("objects of one tag share that tag entry's list, and objects without tags one empty list", () => {
    const node = new LocalNode();
    const entryOf = (tags: string[], json: string) => node.exchange.objects.get(new ObjectDescriptor(tags, json).key)!;
    node.object(["room"], "a").observe();
    node.object(["room"], "b").expose();
    node.object([], "c").observe();
    node.object([], "d").observe();
    const room = node.exchange.tags.get('"room"')!;
    expect(entryOf(["room"], "a").tags).toBe(room.alone);
    expect(entryOf(["room"], "b").tags).toBe(room.alone);
    expect(room.alone).toEqual([room]);
    expect(entryOf([], "c").tags).toBe(entryOf([], "d").tags);
    expect(entryOf([], "c").tags).toEqual([]);
  });
});
