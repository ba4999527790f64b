/**
 * States of any format but JSON (bytes) on one link: they go whole, or as a flag change, never as a
 * diff; the receiver bounds them by the link's limit on length (a StateLimitError ends the link), and
 * never patches one (a JSON diff against held bytes asks for the full state).
 */
import { describe, expect, it } from "vitest";
import { LocalNode } from "../../lib/index.js";
import { BYTES_FORMAT, DEFAULT_FORMAT, type ObjectState } from "../../lib/state/object-state.js";
import { encodeState } from "../../lib/sync/state-encoding.js";
import { isDiff } from "../../lib/sync/wire/state-codec.js";
import { recordingReceiver } from "./recording-receiver.js";
import { link, settle } from "./tree-fixture.js";
import { wireState } from "./wire/plain-states.js";

const bytes = (version: number, data: Uint8Array, format = BYTES_FORMAT, synchronized = true): ObjectState<unknown> => ({ version: [version], format, data, synchronized });

/** A receiver of the object "opaque" holding `held`, recording its link's ends. */
const receiverOf = (held: ObjectState<unknown> | undefined, maxLength?: number) => recordingReceiver("opaque", held, { maxLength });

describe("opaque states", () => {
  it("go whole against a base, however little changed, and as a flag when only the flag changed", () => {
    const base = bytes(1, new Uint8Array(1000));
    const next = new Uint8Array(1000);
    next[3] = 1;
    const target = bytes(2, next, ["msgpack"]);
    const wire = encodeState(target, base);
    expect(isDiff(wire)).toBe(false);
    const { receiver } = receiverOf(base);
    const received = receiver.receive(wire)!.state!;
    expect(received.format).toEqual(["msgpack"]);
    expect(received.data).toEqual(next);
    const flagged = { ...target, synchronized: false };
    const flag = encodeState(flagged, target);
    expect(flag.length).toBeLessThan(20); // no data
    const unsynchronized = receiver.receive(flag)!.state!;
    expect(unsynchronized.synchronized).toBe(false);
    expect(unsynchronized.data).toBe(received.data);
  });

  it("a JSON state after bytes goes whole too (bytes are never a diff's base)", () => {
    const base = bytes(1, Uint8Array.of(1, 2));
    const target: ObjectState<unknown> = { version: [2], format: DEFAULT_FORMAT, data: { a: 1 }, synchronized: true };
    expect(isDiff(encodeState(target, base))).toBe(false);
  });

  it("over the link's limit on length, end the link with a StateLimitError's message and are never held", () => {
    const { receiver, aborts } = receiverOf(undefined, 100);
    expect(receiver.receive(wireState({ v: [1], s: true, f: ["bytes"], d: new Uint8Array(100) }))?.state?.data).toEqual(new Uint8Array(100));
    expect(receiver.receive(wireState({ v: [2], s: true, f: ["bytes"], d: new Uint8Array(101) }))).toBeUndefined();
    expect(aborts).toEqual([
      'Object "opaque": the peer sent a state of 101 bytes, more than maxLength (100), over this link\'s data limits; ' +
        "the state is refused and the link closed (raise the link's dataLimits on this end if such states are legitimate)",
    ]);
    expect(receiver.held?.version).toEqual([1]);
  });

  it("a JSON diff against held bytes is not applied: the receiver asks for the full state", () => {
    const held = bytes(1, Uint8Array.of(1));
    const { receiver, aborts } = receiverOf(held);
    const outcome = receiver.receive(wireState({ v: [2], s: true, b: [1], p: [{ op: "add", path: "/a", value: 1 }] }));
    expect(outcome).toEqual({ state: undefined, ack: { v: [1], resync: true } });
    expect(aborts).toEqual([]);
  });
});

describe("opaque states across a reconnect", () => {
  it("a receiver that still holds the version is resynced with a flag, not the bytes again; a newer version comes whole", async () => {
    const root = new LocalNode({ name: "root" });
    const leaf = new LocalNode({ name: "leaf" });
    const wire = link(root, leaf);
    const exposer = root.object([], "blob").expose();
    const observer = leaf.object([], "blob").observe<Uint8Array>();
    let seed = 12345; // pseudo-random bytes, which compression cannot shrink
    const blob = Uint8Array.from({ length: 20_000 }, () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24));
    exposer.set(blob);
    await settle();
    const held = observer.data;
    expect(held).toEqual(blob);

    await wire.cut();
    wire.connect();
    await settle();
    expect(observer.state?.synchronized).toBe(true);
    expect(observer.data).toBe(held);
    expect(wire.memory!.faults.counters.bToA.bytesSent).toBeLessThan(2000);

    await wire.cut();
    const next = blob.map((byte) => byte ^ 1);
    exposer.set(next);
    wire.connect();
    await settle();
    expect(observer.data).toEqual(next);

    // Bytes that compress go compressed: 20 KB of a repeated pattern costs far less on the wire.
    const before = wire.memory!.faults.counters.bToA.bytesSent;
    const pattern = Uint8Array.from({ length: 20_000 }, (_, i) => i % 16);
    exposer.set(pattern);
    await settle();
    expect(observer.data).toEqual(pattern);
    expect(wire.memory!.faults.counters.bToA.bytesSent - before).toBeLessThan(2000);
    await wire.close();
    await leaf.close();
    await root.close();
  });
});
