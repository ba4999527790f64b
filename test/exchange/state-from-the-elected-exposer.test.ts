/**
 * An object's state comes from its elected exposer only: what another candidate publishes, adopts,
 * desynchronizes or flags is ignored, a version that is not newer is refused, and observers never see
 * states out of order, even when one of them publishes a newer state while being told of the last one.
 */
import { describe, expect, it } from "vitest";
import { LocalNode, ObjectDescriptor } from "../../lib/index.js";
import { TagDescriptor } from "../../lib/descriptor/tag-descriptor.js";
import type { Exchange } from "../../lib/exchange/exchange.js";
import type { ObjectEntry } from "../../lib/exchange/object-entry.js";
import type { Exposer, StateSink, TagSink } from "../../lib/exchange/participants.js";
import { DEFAULT_FORMAT, type ObjectState } from "../../lib/state/object-state.js";

/** An exposer as a link is one, without behaviour of its own. */
function candidate(exchange: Exchange): Exposer {
  return { id: exchange.nextId(), capacity: 1, assignedEntries: new Set(), electedFor: () => {}, releasedFrom: () => {} };
}

/** A state of `entry`'s current election. */
function stateOf(entry: ObjectEntry, version: number, data: unknown, synchronized = true): ObjectState<unknown> {
  return { version: [version], format: DEFAULT_FORMAT, data, synchronized, epoch: entry.epoch } as ObjectState<unknown>;
}

/**
 * An observer (of the object, or of its tag) that records each state it is told of, as "data@version"
 * with "~" when not synchronized.
 */
function recorder(react: (entry: ObjectEntry) => void = () => {}): StateSink & TagSink & { readonly seen: string[] } {
  const seen: string[] = [];
  return {
    seen,
    objectAdded: () => {},
    objectRemoved: () => {},
    stateChanged: (entry) => {
      const state = entry.state;
      seen.push(state === undefined ? "none" : `${String(state.data)}@${state.version.join(".")}${state.synchronized ? "" : "~"}`);
      react(entry);
    },
  };
}

function setUp() {
  const node = new LocalNode();
  const { exchange } = node;
  const descriptor = new ObjectDescriptor(["t"], "x");
  const elected = candidate(exchange);
  const other = candidate(exchange);
  const observer = recorder();
  const entry = exchange.addObjectObserver(descriptor, observer);
  exchange.addObjectExposer(descriptor, elected);
  exchange.addObjectExposer(descriptor, other);
  expect(entry.assignee).toBe(elected);
  return { node, exchange, entry, elected, other, observer };
}

describe("the state of an object", () => {
  it("is published by its elected exposer only, and only when newer than the latest", () => {
    const { node, exchange, entry, elected, other, observer } = setUp();
    expect(exchange.publish(entry, other, stateOf(entry, 5, "other's"))).toBe(false);
    expect(exchange.adopt(entry, other, stateOf(entry, 6, "other's"))).toBe(false);
    expect(exchange.publish(entry, elected, stateOf(entry, 2, "two"))).toBe(true);
    expect(exchange.publish(entry, elected, stateOf(entry, 2, "two again"))).toBe(false);
    expect(exchange.publish(entry, elected, stateOf(entry, 1, "one"))).toBe(false);
    expect(exchange.adopt(entry, elected, stateOf(entry, 1, "adopted"))).toBe(true); // the parent's word, whatever its version
    expect(observer.seen).toEqual(["two@2", "adopted@1"]);
    void node.close();
  });

  it("is desynchronized and flagged by its elected exposer only, and only when the flag changes", () => {
    const { node, exchange, entry, elected, other, observer } = setUp();
    exchange.publish(entry, elected, stateOf(entry, 1, "one"));
    exchange.desynchronize(entry, other);
    exchange.setSynchronized(entry, other, false);
    expect(entry.state?.synchronized).toBe(true);
    exchange.setSynchronized(entry, elected, true); // no change: nobody is told
    exchange.setSynchronized(entry, elected, false);
    exchange.setSynchronized(entry, elected, true);
    exchange.desynchronize(entry, elected);
    expect(observer.seen).toEqual(["one@1", "one@1~", "one@1", "one@1~"]);
    void node.close();
  });

  it("reaches observers in order: a newer state published while they are told of one supersedes it for the rest", () => {
    const { node, exchange, entry, elected } = setUp();
    const first = recorder((told) => {
      if (told.state?.data === "one") exchange.publish(told, elected, stateOf(told, 2, "two"));
    });
    const second = recorder();
    const byTag = recorder();
    exchange.addObjectObserver(entry.descriptor, first);
    exchange.addObjectObserver(entry.descriptor, second);
    exchange.addTagObserver(TagDescriptor.from("t"), byTag);
    exchange.publish(entry, elected, stateOf(entry, 1, "one"));
    expect(first.seen).toEqual(["one@1", "two@2"]);
    expect(second.seen).toEqual(["two@2"]);
    expect(byTag.seen).toEqual(["two@2"]);
    void node.close();
  });

  it("reaches observers by tag in order too, when one of them publishes a newer state", () => {
    const { node, exchange, entry, elected, observer } = setUp();
    const publishing = recorder((told) => {
      if (told.state?.data === "one") exchange.publish(told, elected, stateOf(told, 2, "two"));
    });
    const later = recorder();
    exchange.addTagObserver(TagDescriptor.from("t"), publishing);
    exchange.addTagObserver(TagDescriptor.from("t"), later);
    exchange.publish(entry, elected, stateOf(entry, 1, "one"));
    expect(observer.seen).toEqual(["one@1", "two@2"]);
    expect(publishing.seen).toEqual(["one@1", "two@2"]);
    expect(later.seen).toEqual(["two@2"]);
    void node.close();
  });
});
