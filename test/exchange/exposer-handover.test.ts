/**
 * When an exposer lets objects go, they go to the others: a tag exposer that leaves hands each of its
 * objects to another candidate (keeping those it still exposes another way), and an exposer that lost
 * an object takes one over from a peer of the same tag now loaded past the rebalancing threshold.
 */
import { describe, expect, it } from "vitest";
import { LocalNode, type ObjectObserve } from "../../lib/index.js";
import { TagDescriptor } from "../../lib/descriptor/tag-descriptor.js";
import type { EntrySet } from "../../lib/exchange/entry-set.js";
import type { Exposer } from "../../lib/exchange/participants.js";
import type { Exchange } from "../../lib/exchange/exchange.js";

/** An exposer as a link is one: a participant that may stand for several tags at once; it records what it is told. */
function participant(exchange: Exchange, capacity: number) {
  const told: string[] = [];
  const exposer: Exposer & { readonly assignedEntries: EntrySet } = {
    id: exchange.nextId(),
    capacity,
    assignedEntries: new Set(),
    electedFor: (entry) => told.push(`elected ${String(entry.descriptor.json)}`),
    releasedFrom: (entry) => told.push(`released ${String(entry.descriptor.json)}`),
  };
  return { exposer, told };
}

const keysOf = (exposer: Exposer) => [...exposer.assignedEntries].map((entry) => entry.descriptor.json).sort();

describe("exposer handover", () => {
  it("a tag exposer that leaves hands every object it exposed to the remaining candidate", () => {
    const node = new LocalNode();
    const leaving = node.tag("job").expose<number>({ capacity: 10 });
    for (let n = 0; n < 4; n++) node.object(["job"], n).observe<number>();
    expect(leaving.assigned).toHaveLength(4);
    const staying = node.tag("job").expose<number>({ capacity: 1 });
    expect(staying.assigned).toHaveLength(0); // 4 / 10 is not past the threshold against 1 / 1
    leaving.terminate();
    expect(staying.assigned.map((d) => d.json).sort()).toEqual([0, 1, 2, 3]);
    void node.close();
  });

  it("a participant that stops exposing one tag keeps, without a break, the objects it still exposes through another", () => {
    const node = new LocalNode();
    const { exchange } = node;
    const other = node.tag("a").expose<number>({ capacity: 1 });
    const { exposer: link, told } = participant(exchange, 10);
    const tagA = exchange.addTagExposer(TagDescriptor.from("a"), link);
    exchange.addTagExposer(TagDescriptor.from("b"), link);
    node.object(["a"], "only-a").observe();
    node.object(["a", "b"], "both").observe();
    expect(keysOf(link)).toEqual(["both", "only-a"]);
    expect(other.assigned).toEqual([]);
    told.length = 0;
    exchange.removeTagExposer(tagA, link);
    expect(keysOf(link)).toEqual(["both"]);
    expect(told).toEqual(["released only-a"]);
    expect(other.assigned.map((d) => d.json)).toEqual(["only-a"]);
    void node.close();
  });

  it("an exposer that lost an object takes one over from a peer loaded past the threshold", () => {
    const node = new LocalNode();
    const first = node.tag("job").expose<number>();
    const second = node.tag("job").expose<number>();
    const observers: ObjectObserve<number>[] = [];
    for (let n = 0; n < 5; n++) observers.push(node.object(["job"], n).observe<number>());
    // Ties go to the older exposer: the first takes objects 0, 2, 4, the second 1, 3.
    expect(first.assigned.map((d) => d.json).sort()).toEqual([0, 2, 4]);
    expect(second.assigned.map((d) => d.json).sort()).toEqual([1, 3]);
    observers[1]!.terminate();
    // The second is down to 1 against the first's 3 (past 1.2 times the 2 it would have): one moves over.
    expect(first.assigned).toHaveLength(2);
    expect(second.assigned).toHaveLength(2);
    expect([...first.assigned, ...second.assigned].map((d) => d.json).sort()).toEqual([0, 2, 3, 4]);
    void node.close();
  });

  it("nothing moves when the loss leaves the balance within the threshold", () => {
    const node = new LocalNode();
    const first = node.tag("job").expose<number>();
    const second = node.tag("job").expose<number>();
    const observers = [0, 1, 2, 3].map((n) => node.object(["job"], n).observe<number>());
    expect([first.assigned.length, second.assigned.length]).toEqual([2, 2]);
    observers[1]!.terminate(); // the second is down to 1 against 2: 2 is not past 1.2 times 2
    expect([first.assigned.length, second.assigned.length]).toEqual([2, 1]);
    void node.close();
  });
});
