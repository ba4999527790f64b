/**
 * The exchange tells an election watcher the outcome of each operation, once: an object that had no
 * exposer got one, moved from one exposer to another (not a release and an election), or was left with
 * none. It counts the states that became current (published or adopted), not flag changes.
 */
import { describe, expect, it } from "vitest";
import { LocalNode, TagDescriptor } from "../../lib/index.js";
import type { ElectionWatcher, Exposer } from "../../lib/exchange/participants.js";
import type { ObjectEntry } from "../../lib/exchange/object-entry.js";

function watch(node: LocalNode) {
  const told: string[] = [];
  const name = (exposer: Exposer) => String(exposer.id);
  const json = (entry: ObjectEntry) => String(entry.descriptor.json);
  const watcher: ElectionWatcher = {
    elected: (entry, exposer) => told.push(`elected ${json(entry)} ${name(exposer)}`),
    handedOver: (entry, from, to) => told.push(`handover ${json(entry)} ${name(from)}>${name(to)}`),
    released: (entry, from) => told.push(`released ${json(entry)} ${name(from)}`),
  };
  node.exchange.electionWatcher = watcher;
  return told;
}

const idOf = (contract: object) => String((contract as Exposer).id);

describe("election watcher", () => {
  it("hears an election, a handover when the exposer leaves and another is there, a release when none is", () => {
    const node = new LocalNode();
    const told = watch(node);
    const first = node.object(["t"], "x").expose();
    const second = node.object(["t"], "x").expose();
    node.object(["t"], "x").observe();
    expect(told).toEqual([`elected x ${idOf(first)}`]);
    first.terminate();
    expect(told.slice(1)).toEqual([`handover x ${idOf(first)}>${idOf(second)}`]);
    second.terminate();
    expect(told.slice(2)).toEqual([`released x ${idOf(second)}`]);
    void node.close();
  });

  it("hears a tag exposer's objects handed over to the remaining candidate, each once", () => {
    const node = new LocalNode();
    const told = watch(node);
    const leaving = node.tag("t").expose({ capacity: 10 });
    const staying = node.tag("t").expose({ capacity: 1 });
    for (const json of ["a", "b"]) node.object(["t"], json).observe();
    told.length = 0;
    leaving.terminate();
    expect(told.sort()).toEqual([`handover a ${idOf(leaving)}>${idOf(staying)}`, `handover b ${idOf(leaving)}>${idOf(staying)}`]);
    void node.close();
  });

  it("hears nothing when an exposer is released and elected again in one operation", () => {
    const node = new LocalNode();
    const told = watch(node);
    const { exchange } = node;
    const both: Exposer = { id: exchange.nextId(), capacity: 1, assignedEntries: new Set(), electedFor: () => undefined, releasedFrom: () => undefined };
    exchange.addTagExposer(TagDescriptor.from("t"), both);
    const entry = exchange.addObjectExposer(node.object(["t"], "x").observe().descriptor, both);
    expect(told).toEqual([`elected x ${both.id}`]);
    exchange.removeObjectExposer(entry, both); // still a candidate by its tag: released, then elected again
    expect(entry.assignee).toBe(both);
    expect(told).toEqual([`elected x ${both.id}`]);
    void node.close();
  });

  it("counts new states, not synchronized flags", () => {
    const node = new LocalNode();
    const expose = node.object(["t"], "x").expose<number>();
    node.object(["t"], "x").observe();
    expose.set(1);
    expose.set(2);
    expose.set(2, { version: [0] }); // not newer: refused
    expose.desynchronize();
    const entry = node.exchange.objects.get(expose.descriptor.key)!;
    expect(entry.updates).toBe(2);
    expect(node.exchange.updates).toBe(2);
    void node.close();
  });
});
