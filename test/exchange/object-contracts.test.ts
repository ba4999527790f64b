import { describe, expect, it } from "vitest";
import { LocalNode, ObjectDescriptor, ContractTerminatedError, type ObjectState } from "../../lib/index.js";

function statesOf<T>(observe: { onChange(cb: (s: ObjectState<T> | undefined) => void): () => void }) {
  const seen: Array<ObjectState<T> | undefined> = [];
  observe.onChange((s) => seen.push(s));
  return seen;
}

describe("object observe and expose on one node", () => {
  it("assigns an exposer only while the object is observed", () => {
    const node = new LocalNode();
    const expose = node.object(["t"], { id: 1 }).expose<number>();
    expect(expose.assigned).toBe(false);
    const observe = node.object(["t"], { id: 1 }).observe<number>();
    expect(expose.assigned).toBe(true);
    observe.terminate();
    expect(expose.assigned).toBe(false);
  });

  it("publishes data set while unassigned once assigned, and delivers later sets", () => {
    const node = new LocalNode({ clock: () => 1000 });
    const expose = node.object([], "x").expose<{ n: number }>();
    expect(expose.set({ n: 1 })).toBe(true);
    const observe = node.object([], "x").observe<{ n: number }>();
    expect(observe.data).toEqual({ n: 1 });
    expect(observe.state?.synchronized).toBe(true);
    expect(observe.state?.format).toEqual(["JSON"]);
    const seen = statesOf(observe);
    expose.set({ n: 2 });
    expect(seen.map((s) => s?.data)).toEqual([{ n: 2 }]);
  });

  it("identity is canonical: key order and tag order do not matter", () => {
    const node = new LocalNode();
    const expose = node.object(["a", "b"], { x: 1, y: 2 }).expose<string>();
    const observe = node.object(["b", "a"], { y: 2, x: 1 }).observe<string>();
    expose.set("hello");
    expect(observe.data).toBe("hello");
    expect(observe.descriptor.equals(new ObjectDescriptor(["a", "b"], { x: 1, y: 2 }))).toBe(true);
  });

  it("ignores older or equal explicit versions and returns false", () => {
    const node = new LocalNode();
    const expose = node.object([], "v").expose<number>();
    const observe = node.object([], "v").observe<number>();
    expect(expose.set(1, { version: [5] })).toBe(true);
    expect(expose.set(2, { version: [5] })).toBe(false);
    expect(expose.set(3, { version: [4, 9] })).toBe(false);
    expect(expose.set(4, { version: [5, 0] })).toBe(true);
    expect(observe.state?.version).toEqual([5, 0]);
    expect(observe.data).toBe(4);
  });

  it("default versions order after the latest known even when the clock goes backwards", () => {
    let now = 10_000;
    const node = new LocalNode({ clock: () => now });
    const expose = node.object([], "clock").expose<number>();
    const observe = node.object([], "clock").observe<number>();
    expose.set(1);
    now = 5_000;
    expect(expose.set(2)).toBe(true);
    expect(observe.data).toBe(2);
    const [a, b] = [observe.state!.version, [10_000, 0]];
    expect(a.length).toBeGreaterThan(0);
    expect(a).not.toEqual(b);
  });

  it("fails over to another exposer; observers keep data with synchronized=false meanwhile", () => {
    const node = new LocalNode({ clock: () => 1 });
    const first = node.object([], "f").expose<string>();
    const second = node.object([], "f").expose<string>();
    const observe = node.object([], "f").observe<string>();
    expect([first.assigned, second.assigned]).toEqual([true, false]);
    first.set("one");
    const seen = statesOf(observe);
    first.terminate();
    expect(second.assigned).toBe(true);
    expect(observe.state).toMatchObject({ data: "one", synchronized: false });
    second.set("two");
    expect(observe.state).toMatchObject({ data: "two", synchronized: true });
    expect(seen.map((s) => [s?.data, s?.synchronized])).toEqual([
      ["one", false],
      ["two", true],
    ]);
  });

  it("a newly elected exposer publishes its held data after the latest version even with a lagging clock", () => {
    let now = 1_000;
    const node = new LocalNode({ clock: () => now });
    const first = node.object([], "lag").expose<string>();
    const observe = node.object([], "lag").observe<string>();
    now = 500;
    const second = node.object([], "lag").expose<string>();
    second.set("held"); // version from a clock behind the first exposer's
    now = 2_000;
    first.set("first");
    first.terminate();
    expect(observe.state).toMatchObject({ data: "held", synchronized: true });
  });

  it("desynchronize() shows synchronized=false until the next set", () => {
    const node = new LocalNode();
    const expose = node.object([], "d").expose<number>();
    const observe = node.object([], "d").observe<number>();
    expose.set(1);
    expose.desynchronize();
    expect(observe.state).toMatchObject({ data: 1, synchronized: false });
    expose.set(2);
    expect(observe.state).toMatchObject({ data: 2, synchronized: true });
  });

  it("rejects non-JSON data with a clear error and keeps the previous state", () => {
    const node = new LocalNode();
    const expose = node.object([], "bad").expose();
    const observe = node.object([], "bad").observe();
    expose.set({ ok: true });
    // What the types refuse (see test/contracts/json-types.test.ts) is refused at run time too.
    expect(() => expose.set({ when: new Date() } as never)).toThrow(/when/);
    expect(() => expose.set({ n: NaN })).toThrow(/\$data.*n|n/);
    expect(observe.data).toEqual({ ok: true });
  });

  it("drops an object nobody references and leaves no entries, contracts or subscriptions", async () => {
    const node = new LocalNode();
    const observe = node.object(["tag"], "gone").observe();
    const sub = observe.state$.subscribe(() => {});
    const iterator = observe[Symbol.asyncIterator]();
    const expose = node.object(["tag"], "gone").expose();
    expose.onAssigned(() => {});
    expect(node.stats()).toMatchObject({ objects: 1, tags: 1, contracts: 2 });
    observe.terminate();
    expose.terminate();
    expect(sub.closed).toBe(true);
    await expect(iterator.next()).resolves.toMatchObject({ value: undefined, done: false });
    await expect(iterator.next()).resolves.toMatchObject({ done: true });
    expect(node.stats()).toEqual({ objects: 0, tags: 0, contracts: 0, subscriptions: 0, exposedValues: 0 });
  });

  it("node.close() terminates every contract and refuses new ones", async () => {
    const node = new LocalNode();
    const observe = node.object([], "c").observe();
    let completed = false;
    observe.state$.subscribe({ complete: () => (completed = true) });
    node.tag("t").expose().assignments$.subscribe(() => {});
    await node.close();
    expect(completed).toBe(true);
    expect(observe.terminated).toBe(true);
    expect(node.stats()).toEqual({ objects: 0, tags: 0, contracts: 0, subscriptions: 0, exposedValues: 0 });
    expect(() => node.object([], "c").observe()).toThrow(/closed LocalNode/);
  });

  it("a terminated contract refuses set() with a typed error", () => {
    const node = new LocalNode();
    const expose = node.object([], "t").expose();
    expose.terminate();
    expect(() => expose.set(1)).toThrow(ContractTerminatedError);
  });

  it("rejects a non-positive capacity", () => {
    const node = new LocalNode();
    expect(() => node.object([], "c").expose({ capacity: 0 })).toThrow(/capacity/);
    expect(() => node.tag("c").expose({ capacity: Number.NaN })).toThrow(/capacity/);
  });
});
