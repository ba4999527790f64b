import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { ObjectDescriptor } from "../../lib/descriptor/object-descriptor.js";
import { DEFAULT_DATA_LIMITS } from "../../lib/state/frozen-data.js";
import { ObjectEntry } from "../../lib/exchange/object-entry.js";
import { DEFAULT_FORMAT, type ObjectState } from "../../lib/state/object-state.js";
import { AckCoalescer } from "../../lib/sync/ack-coalescer.js";
import type { PatchOperation } from "../../lib/sync/json-patch/index.js";
import { ObjectTransfer, type TransferLink } from "../../lib/sync/object-transfer.js";
import { encodeState, patchLengthOf, recordDerivation } from "../../lib/sync/state-encoding.js";
import { StateReceiver } from "../../lib/sync/state-receiver.js";
import { StateSender } from "../../lib/sync/state-sender.js";
import { OutboundPaths, PathDictionary } from "../../lib/sync/wire/path-dictionary.js";
import { isDiff } from "../../lib/sync/wire/state-codec.js";
import type { WireState } from "../../lib/sync/wire-state.js";
import { PlainStateReader, wireState } from "./wire/plain-states.js";

const state = (version: number, data: unknown, synchronized = true): ObjectState<unknown> => ({
  version: [version],
  format: DEFAULT_FORMAT,
  data,
  synchronized,
});

/** A receiver within the default limits, on a link that must not end (or, given `aborts`, that records its end). */
const receiverOf = (held: ObjectState<unknown> | undefined, aborts?: string[]) =>
  new StateReceiver(
    {
      descriptor: new ObjectDescriptor([], "received"),
      dataLimits: DEFAULT_DATA_LIMITS,
      abort: (reason) => (aborts === undefined ? expect.fail(reason) : void aborts.push(reason)),
    },
    held,
  );

const big = (n: number) => ({ rows: Array.from({ length: 100 }, (_, i) => ({ i, v: i === 5 ? n : 0 })) });

/** `wire` read by a receiver holding version `held`. */
const read = (wire: WireState, held?: number) => new PlainStateReader(held === undefined ? undefined : [held]).read(wire);

/** A full garbage collection, without the process having been started with --expose-gc. */
function collectGarbage(): void {
  setFlagsFromString("--expose-gc");
  (runInNewContext("gc") as () => void)();
}

describe("state encoding", () => {
  it("does not keep a state's bases alive: a relay forwarding patches holds the latest version, not the history", async () => {
    let base: ObjectState<unknown> | undefined = state(1, big(1));
    const history: WeakRef<ObjectState<unknown>>[] = [];
    for (let v = 2; v <= 5; v++) {
      const next = state(v, big(v));
      recordDerivation(next, base!, [{ op: "replace", path: "/rows/5/v", value: v }]);
      encodeState(next, base); // the cached diff names its base
      history.push(new WeakRef(base!));
      base = next;
    }
    const latest = base!;
    base = undefined;
    await new Promise((resolve) => setTimeout(resolve, 0)); // WeakRef targets stay alive until the job ends
    collectGarbage();
    expect(history.map((ref) => ref.deref() === undefined)).toEqual([true, true, true, true]);
    // The derivation is still known by version: a link at version 4 gets the recorded patch.
    expect(read(encodeState(latest, state(4, big(4))), 4).p).toEqual([{ op: "replace", path: "/rows/5/v", value: 5 }]);
  });

  it("sends a diff when it is smaller, the full state otherwise, and only the flag when only it changed", () => {
    const a = state(1, big(1));
    const b = state(2, big(2));
    expect(read(encodeState(b, a), 1).p).toHaveLength(1);
    expect(read(encodeState(state(2, { x: 1 }), state(1, { y: 2 }))).d).toEqual({ x: 1 });
    const flag = encodeState({ ...a, synchronized: false }, a);
    expect(read(flag)).toEqual({ v: [1], s: false });
  });

  it("makes one payload per (state, base), whoever asks, and tells a diff's length in bytes", () => {
    const a = state(1, big(1));
    const b = state(2, big(2));
    const first = encodeState(b, a);
    expect(encodeState(b, a)).toBe(first);
    expect(encodeState(b, undefined)).toBe(encodeState(b, undefined));
    expect(patchLengthOf(first)).toBe(first.length);
    expect(patchLengthOf(encodeState(b, undefined))).toBeUndefined();
  });

  it("shares a diff between receivers that hold its paths; those that lack some get a variant with their definitions, shared too", () => {
    const dictionary = new PathDictionary();
    const pad = "p".repeat(200); // so that diffs pay
    const a = state(1, { x: 1, y: 1, pad });
    const b = state(2, { x: 2, y: 1, pad });
    const c = state(3, { x: 2, y: 3, pad });
    const early = new OutboundPaths(dictionary);
    // The first receiver learns /x from the diff to version 2.
    const toEarly = encodeState(b, a, early);
    expect(early.known).toBe(1);
    const earlyReceiver = receiverOf(a);
    expect(earlyReceiver.receive(toEarly)?.state?.data).toEqual(b.data);
    // Two new receivers at version 2 lack /x and /y; the first one holds /x and lacks /y only.
    const late = [new OutboundPaths(dictionary), new OutboundPaths(dictionary)];
    const toEarlyNext = encodeState(c, b, early);
    const toLate = late.map((paths) => encodeState(c, b, paths));
    expect(toLate[1]).toBe(toLate[0]);
    expect(toLate[0]).not.toBe(toEarlyNext);
    expect(toLate[0]!.length).toBeGreaterThan(toEarlyNext.length);
    expect([early.known, late[0]!.known, late[1]!.known]).toEqual([2, 2, 2]);
    // Each decodes to the same state; a receiver that holds every path gets the shared bytes.
    expect(earlyReceiver.receive(toEarlyNext)?.state?.data).toEqual(c.data);
    expect(receiverOf(b).receive(toLate[0]!)?.state?.data).toEqual(c.data);
    expect(encodeState(c, b, new OutboundPaths(dictionary))).toBe(toLate[0]);
    // Receivers that hold both paths share the bytes without definitions.
    const holding = [new OutboundPaths(dictionary), new OutboundPaths(dictionary)];
    for (const paths of holding) paths.known = 2;
    const shared = holding.map((paths) => encodeState(c, b, paths));
    expect(shared[1]).toBe(shared[0]);
    expect(shared[0]!.length).toBeLessThan(toEarlyNext.length);
    earlyReceiver.restart(b);
    expect(earlyReceiver.receive(shared[0]!)?.state?.data).toEqual(c.data);
  });

  it("shares a full payload for the rest of the tick only: an idle state keeps no payload", async () => {
    const a = state(1, big(1));
    let payload: WireState | undefined = encodeState(a, undefined);
    expect(encodeState(a, undefined)).toBe(payload); // a fan-out in this tick encodes once
    const ref = new WeakRef(payload);
    payload = undefined;
    await new Promise((resolve) => setTimeout(resolve, 0));
    collectGarbage();
    expect(ref.deref()).toBeUndefined(); // nothing held it past the tick, though the state lives on
    expect(read(encodeState(a, undefined))).toEqual({ v: [1], s: true, d: big(1) });
  });

  it("remembers the diffs of one state against several bases (links that skipped different versions)", () => {
    const bases = [1, 2, 3].map((v) => state(v, big(v)));
    const target = state(9, big(9));
    const payloads = bases.map((base) => encodeState(target, base));
    for (const [i, base] of bases.entries()) expect(encodeState(target, base)).toBe(payloads[i]);
    expect(read(payloads[0]!, 1)).toMatchObject({ v: [9], b: [1] });
    expect(read(payloads[2]!, 3)).toMatchObject({ v: [9], b: [3] });
    expect(() => read(payloads[2]!, 1)).toThrow(/a base other than \[1\]/);
  });
});

describe("state receiver", () => {
  it("applies a diff only to the base it was made against, else asks for the full state", () => {
    const receiver = receiverOf(state(1, big(1)));
    const diff = encodeState(state(3, big(3)), state(2, big(2))); // base 2: we hold 1
    const { state: applied, ack } = receiver.receive(diff)!;
    expect(applied).toBeUndefined();
    expect(ack).toEqual({ v: [1], resync: true });
    expect(receiver.held?.version).toEqual([1]);
  });

  it("applies a matching diff and acknowledges its version", () => {
    const receiver = receiverOf(state(1, big(1)));
    const { state: applied, ack } = receiver.receive(encodeState(state(2, big(2)), state(1, big(1))))!;
    expect(applied?.data).toEqual(big(2));
    expect(Object.isFrozen(applied?.data)).toBe(true);
    expect(ack).toEqual({ v: [2] });
  });

  it("asks for the full state when a diff does not apply", () => {
    const receiver = receiverOf(state(1, { a: 1 }));
    const broken = wireState({ v: [2], s: true, b: [1], p: [{ op: "remove", path: "/missing" }] });
    expect(receiver.receive(broken)).toEqual({ state: undefined, ack: { v: [1], resync: true } });
  });

  it("applies a flag change to the version it holds only", () => {
    const receiver = receiverOf(state(1, { a: 1 }));
    expect(receiver.receive(wireState({ v: [1], s: false }))!.state).toMatchObject({ data: { a: 1 }, synchronized: false });
    expect(receiver.receive(wireState({ v: [7], s: true }))!.ack.resync).toBe(true);
  });

  it("once it asked for the full state, drops diffs and flags until it comes, taking their definitions", () => {
    const receiver = receiverOf(state(1, { a: 1 }));
    expect(receiver.receive(wireState({ v: [2], s: true, b: [1], p: [{ op: "remove", path: "/missing" }] }))!.ack.resync).toBe(true);
    // A diff against the base it still holds, and a flag for it: both dropped, the diff's definitions kept.
    const dictionary = new PathDictionary();
    const pad = "p".repeat(200); // so that the diff pays
    const diff = encodeState(state(3, { a: 3, pad }), state(1, { a: 1, pad }), new OutboundPaths(dictionary));
    expect(isDiff(diff)).toBe(true);
    expect(receiver.receive(diff)).toEqual({ state: undefined, ack: { v: [1], resync: true } });
    expect(receiver.paths).toEqual(["/a"]);
    expect(receiver.receive(wireState({ v: [1], s: false }))!.state).toBeUndefined();
    // The full state ends the wait.
    expect(receiver.receive(wireState({ v: [3], s: true, d: { a: 3 } }))!.state?.data).toEqual({ a: 3 });
    expect(receiver.receive(wireState({ v: [3], s: false }))!.state?.synchronized).toBe(false);
  });

  it("ends the link with a message naming the object and the fault for a state it cannot decode", () => {
    const aborts: string[] = [];
    const receiver = receiverOf(state(1, { a: 1 }), aborts);
    expect(receiver.receive(Uint8Array.of(0x80))).toBeUndefined();
    expect(aborts).toHaveLength(1);
    expect(aborts[0]).toMatch(/^Object .*received.*: the peer sent a state that cannot be decoded \(reserved flag bits/);
    expect(receiver.held?.version).toEqual([1]);
  });
});

/** A transfer of `entry` that records the states it sends into `sent`, on a link that must not end. */
class RecordingTransfer extends ObjectTransfer {
  protected readonly transferLink: TransferLink = {
    acks: new AckCoalescer(),
    dataLimits: DEFAULT_DATA_LIMITS,
    state: "open",
    closed: new Promise<undefined>(() => {}),
    abort: (reason?: string) => expect.fail(reason),
  };

  constructor(
    readonly entry: ObjectEntry,
    private readonly sent: WireState[],
  ) {
    super();
  }

  get descriptor(): ObjectDescriptor {
    return this.entry.descriptor;
  }

  sendState(wire: WireState): void {
    this.sent.push(wire);
  }

  sendAck(): void {}

  holdsBack(): boolean {
    return false;
  }
}

describe("object transfer", () => {
  /** A transfer of the object `name` whose sent states are recorded, on a link that must not end. */
  const transferOf = (name: string, sent: WireState[]) => new RecordingTransfer(new ObjectEntry(new ObjectDescriptor([], name), []), sent);

  it("keeps the paths the peer defined for the whole session, though expect() starts the receiver over", () => {
    const pad = "p".repeat(200); // so that diffs pay
    const sent: WireState[] = [];
    const sender = transferOf("sent", sent);
    const receiver = transferOf("received", []);
    sender.update(state(1, { a: 1, pad }));
    sender.update(state(2, { a: 2, pad }));
    for (const wire of sent) receiver.receive(wire);
    expect(receiver.held?.data).toEqual({ a: 2, pad });
    // The peer resumes from version 2: its next diff refers to /a without defining it again.
    receiver.expect(receiver.held);
    sender.update(state(3, { a: 3, pad }));
    expect(isDiff(sent.at(-1)!)).toBe(true);
    expect(receiver.receive(sent.at(-1)!)?.data).toEqual({ a: 3, pad });
  });

  it("interns an object's paths once for all its links: a second link gets the same indices, with their definitions", () => {
    const pad = "p".repeat(200);
    const entry = new ObjectEntry(new ObjectDescriptor([], "shared"), []);
    const sent: WireState[][] = [[], []];
    const transfers = sent.map((into) => new RecordingTransfer(entry, into));
    const base = state(1, { a: 1, pad });
    const update = state(2, { a: 2, pad });
    for (const transfer of transfers) transfer.resume([1], 0, base);
    for (const transfer of transfers) transfer.update(update);
    // The first diff on each link carries the definition of /a: one variant, the same bytes for both.
    expect(sent[1]![0]).toBe(sent[0]![0]);
    expect(transfers[0]!.paths.dictionary).toBe(transfers[1]!.paths.dictionary);
    expect(transfers[0]!.paths.known).toBe(1);
  });
});

describe("state sender", () => {
  it("after a resync the current state goes again, in full", () => {
    const sent: WireState[] = [];
    const sender = new StateSender({ transmitState: (w) => void sent.push(w) });
    sender.update(state(1, big(1)));
    sender.update(state(2, big(2)));
    expect(isDiff(sent.at(-1)!)).toBe(true);
    sender.acknowledged({ v: [1], resync: true });
    expect(read(sent.at(-1)!)).toMatchObject({ v: [2], d: big(2) });
    expect(sent).toHaveLength(3);
  });

  it("resumes with a diff against a base the receiver still holds, or only the flag for the same version", () => {
    const sent: WireState[] = [];
    const sender = new StateSender({ transmitState: (w) => void sent.push(w) });
    const held = state(1, big(1));
    sender.update(state(2, big(2)));
    sent.length = 0;
    sender.resume([1], 0, held);
    expect(read(sent[0]!, 1)).toMatchObject({ v: [2], b: [1] });
    const other = new StateSender({ transmitState: (w) => void sent.push(w) });
    other.update(state(5, big(5)));
    sent.length = 0;
    other.resume([5], 0, undefined);
    expect(sent.map((wire) => read(wire))).toEqual([{ v: [5], s: true }]);
  });
});

describe("relaying", () => {
  it("forwards a received patch as is when the next peer holds the same base (no diff computed)", () => {
    const receiver = receiverOf(state(1, big(1)));
    // Coarser than the diff the relay would compute (which replaces /rows/5/v only).
    const patch: PatchOperation[] = [{ op: "replace", path: "/rows/5", value: { i: 5, v: 2 } }];
    const held = receiver.held!;
    const { state: relayed } = receiver.receive(wireState({ v: [2], s: true, b: [1], p: patch }))!;
    expect(relayed?.data).toEqual(big(2));
    expect(read(encodeState(relayed!, held), 1)).toMatchObject({ v: [2], b: [1], p: patch });
  });
});
