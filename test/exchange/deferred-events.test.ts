/**
 * Application code runs only after the exchange operation that caused it has finished, and in the
 * order things happened: an event emitted while an object moves from one exposer to another is
 * delivered once the move is complete, and work queued while events are delivered (directly, or by an
 * exchange operation a listener runs) waits its turn and is done once.
 */
import { describe, expect, it } from "vitest";
import { LocalNode, ObjectDescriptor } from "../../lib/index.js";
import type { Exchange } from "../../lib/exchange/exchange.js";
import type { ObjectEntry } from "../../lib/exchange/object-entry.js";
import type { Exposer } from "../../lib/exchange/participants.js";
import { ListenerSet } from "../../lib/events/listener-set.js";

/** A candidate that announces its elections and releases through `events`, as contracts do. */
function announcing(exchange: Exchange, name: string, capacity: number, events: ListenerSet<[string, ObjectEntry]>): Exposer {
  return {
    id: exchange.nextId(),
    capacity,
    assignedEntries: new Set(),
    electedFor: (entry) => exchange.emit<[string, ObjectEntry]>(events, [`${name} elected`, entry]),
    releasedFrom: (entry) => exchange.emit<[string, ObjectEntry]>(events, [`${name} released`, entry]),
  };
}

describe("events of the exchange", () => {
  it("reach listeners once the operation that caused them is complete, in the order they happened", () => {
    const node = new LocalNode();
    const { exchange } = node;
    const events = new ListenerSet<[string, ObjectEntry]>(exchange.reportError, node, "test");
    const seen: string[] = [];
    events.add(([what, entry]) => {
      seen.push(`${what}, then assigned to ${entry.assignee === undefined ? "nobody" : entry.assignee === second ? "second" : "first"}`);
      if (what !== "first released") return;
      exchange.defer(() => seen.push("work queued by a listener"));
      exchange.reelectAll(); // an exchange operation run by a listener: what is queued stays queued, once

    });
    const descriptor = new ObjectDescriptor([], "moving");
    const first = announcing(exchange, "first", 1, events);
    const second = announcing(exchange, "second", 10, events);
    node.object([], "moving").observe();
    exchange.addObjectExposer(descriptor, first);
    exchange.addObjectExposer(descriptor, second); // loaded 1 against 0.1: the object moves over
    expect(seen).toEqual([
      "first elected, then assigned to first",
      "first released, then assigned to second",
      "second elected, then assigned to second",
      "work queued by a listener",
    ]);
    void node.close();
  });
});
