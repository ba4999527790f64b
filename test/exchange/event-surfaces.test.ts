import { describe, expect, it } from "vitest";
import { firstValueFrom, take, toArray } from "rxjs";
import { LocalNode, type NodeError } from "../../lib/index.js";

describe("event surfaces", () => {
  it("state$ replays the current state to each new subscriber", () => {
    const node = new LocalNode();
    const expose = node.object([], "r").expose<number>();
    const observe = node.object([], "r").observe<number>();
    expose.set(1);
    const values: Array<number | undefined> = [];
    observe.state$.subscribe((s) => values.push(s?.data));
    expose.set(2);
    expect(values).toEqual([1, 2]);
  });

  it("state$ works with operators and tears down with them", async () => {
    const node = new LocalNode();
    const expose = node.object([], "p").expose<number>();
    const observe = node.object([], "p").observe<number>();
    const firstTwo = firstValueFrom(observe.state$.pipe(take(2), toArray()));
    expose.set(5);
    expect((await firstTwo).map((s) => s?.data)).toEqual([undefined, 5]);
    expect(node.stats().subscriptions).toBe(0); // take(2) completed and tore its subscription down
  });

  it("the async iterator yields the current state, coalesces while slow, and ends on terminate", async () => {
    const node = new LocalNode();
    const expose = node.object([], "i").expose<number>();
    const observe = node.object([], "i").observe<number>();
    const iterator = observe[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toBeUndefined();
    for (let i = 1; i <= 50; i++) expose.set(i);
    expect((await iterator.next()).value?.data).toBe(50);
    const pending = iterator.next();
    expose.set(51);
    expect((await pending).value?.data).toBe(51);
    observe.terminate();
    expect((await iterator.next()).done).toBe(true);
    expect(node.stats().subscriptions).toBe(0);
  });

  it("iterators of a terminated contract end (after yielding the current value)", async () => {
    const node = new LocalNode();
    const observe = node.object([], "t").observe<number>();
    const tag = node.tag("t").observe<number>();
    observe.terminate();
    tag.terminate();
    const iterator = observe[Symbol.asyncIterator]();
    expect(await iterator.next()).toEqual({ value: undefined, done: false });
    expect((await iterator.next()).done).toBe(true);
    expect((await tag[Symbol.asyncIterator]().next()).done).toBe(true);
    expect(node.stats().subscriptions).toBe(0);
  });

  it("for await over assignments ends when the contract terminates", async () => {
    const node = new LocalNode();
    const expose = node.object([], "a").expose();
    const seen: boolean[] = [];
    const loop = (async () => {
      for await (const assigned of expose.assignments()) {
        seen.push(assigned);
        if (assigned) expose.terminate();
      }
    })();
    await Promise.resolve();
    node.object([], "a").observe();
    await loop;
    expect(seen).toEqual([false, true, false]); // terminating releases the assignment, then the iterator ends
  });

  it("onChange returns an unsubscribe that stops delivery", () => {
    const node = new LocalNode();
    const expose = node.object([], "u").expose<number>();
    const observe = node.object([], "u").observe<number>();
    const seen: number[] = [];
    const off = observe.onChange((s) => seen.push(s!.data));
    expose.set(1);
    off();
    expose.set(2);
    expect(seen).toEqual([1]);
  });

  it("an exception in a callback or subscriber is reported and breaks nothing", () => {
    const node = new LocalNode();
    const errors: NodeError[] = [];
    node.onError((e) => errors.push(e));
    const expose = node.object([], "e").expose<number>();
    const observe = node.object([], "e").observe<number>();
    const good: number[] = [];
    observe.onChange(() => {
      throw new Error("callback boom");
    });
    observe.state$.subscribe(() => {
      throw new Error("subscriber boom");
    });
    observe.onChange((s) => good.push(s!.data));
    expose.set(1);
    expose.set(2);
    expect(good).toEqual([1, 2]);
    expect(errors.map((e) => (e.error as Error).message)).toEqual([
      "subscriber boom", // replay of the current (undefined) state at subscribe time
      "callback boom",
      "subscriber boom",
      "callback boom",
      "subscriber boom",
    ]);
    expect(errors[1]!.context).toMatch(/observe/);
  });

  it("callbacks that change contracts see a consistent node, and every listener sees events in order", () => {
    const node = new LocalNode();
    const expose = node.object([], "o").expose<number>();
    const observe = node.object([], "o").observe<number>();
    const a: number[] = [];
    const b: number[] = [];
    observe.onChange((s) => {
      a.push(s!.data);
      if (s!.data === 1) expose.set(2); // re-entrant set from inside delivery
    });
    observe.onChange((s) => b.push(s!.data));
    expose.set(1);
    expect(a).toEqual([1, 2]);
    expect(b).toEqual([1, 2]);
  });
});
