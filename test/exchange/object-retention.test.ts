/**
 * A link keeps an object in existence while it has announced or opened it, without observing or
 * exposing it: each retain() holds the object until its release(), however many contracts come and go.
 */
import { describe, expect, it } from "vitest";
import { LocalNode, ObjectDescriptor } from "../../lib/index.js";

describe("objects retained by a link", () => {
  it("exist from the first retain until the last release", () => {
    const node = new LocalNode();
    const { exchange } = node;
    const descriptor = new ObjectDescriptor(["t"], "kept");
    const entry = exchange.retain(descriptor);
    expect(exchange.retain(descriptor)).toBe(entry);
    expect(exchange.objects.get(descriptor.key)).toBe(entry);
    expect(exchange.tags.size).toBe(1);
    exchange.release(entry);
    expect(exchange.objects.get(descriptor.key)).toBe(entry);
    exchange.release(entry);
    expect(exchange.objects.has(descriptor.key)).toBe(false);
    expect(exchange.tags.size).toBe(0);
    void node.close();
  });

  it("outlive the contracts on them, and go with the last release once those are gone", () => {
    const node = new LocalNode();
    const { exchange } = node;
    const descriptor = new ObjectDescriptor([], "shared");
    const entry = exchange.retain(descriptor);
    const observer = node.object([], "shared").observe<number>();
    const exposer = node.object([], "shared").expose<number>();
    exposer.set(1);
    observer.terminate();
    exposer.terminate();
    expect(exchange.objects.get(descriptor.key)).toBe(entry);
    exchange.release(entry);
    expect(exchange.objects.has(descriptor.key)).toBe(false);
    void node.close();
  });

  it("are not let go when a participant that was never on them leaves", () => {
    const node = new LocalNode();
    const { exchange } = node;
    const descriptor = new ObjectDescriptor([], "held");
    const sink = { stateChanged: () => {} };
    const exposer = { id: exchange.nextId(), capacity: 1, assignedEntries: new Set<never>(), electedFor: () => {}, releasedFrom: () => {} };
    const entry = exchange.addObjectObserver(descriptor, sink);
    exchange.removeObjectObserver(entry, { stateChanged: () => {} });
    exchange.removeObjectExposer(entry, exposer);
    expect(exchange.objects.get(descriptor.key)).toBe(entry);
    exchange.removeObjectObserver(entry, sink);
    expect(exchange.objects.has(descriptor.key)).toBe(false);
    void node.close();
  });
});
