import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { ObjectDescriptor } from "../../lib/descriptor/object-descriptor.js";
import { DEFAULT_DATA_LIMITS } from "../../lib/state/frozen-data.js";
import { DEFAULT_FORMAT, type ObjectState } from "../../lib/state/object-state.js";
import { encodeState, recordDerivation } from "../../lib/sync/state-encoding.js";
import { StateReceiver } from "../../lib/sync/state-receiver.js";
import { StateSender } from "../../lib/sync/state-sender.js";
import type { WireState } from "../../lib/sync/wire-state.js";

const state = (version: number, data: unknown, synchronized = true): ObjectState<unknown> => ({
  version: [version],
  format: DEFAULT_FORMAT,
  data,
  synchronized,
});

/** A receiver within the default limits, on a link that must not end. */
const receiverOf = (held: ObjectState<unknown>) =>
  new StateReceiver(new ObjectDescriptor([], "received"), DEFAULT_DATA_LIMITS, { state: "open", closed: new Promise(() => {}), abort: (reason) => expect.fail(reason) }, held);

const big = (n: number) => ({ rows: Array.from({ length: 100 }, (_, i) => ({ i, v: i === 5 ? n : 0 })) });

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
    expect(encodeState(latest, state(4, big(4))).p).toEqual([{ op: "replace", path: "/rows/5/v", value: 5 }]);
  });

  it("sends a diff when it is smaller, the full state otherwise, and only the flag when only it changed", () => {
    const a = state(1, big(1));
    const b = state(2, big(2));
    expect(encodeState(b, a).p).toHaveLength(1);
    expect(encodeState(state(2, { x: 1 }), state(1, { y: 2 })).d).toEqual({ x: 1 });
    const flag = encodeState({ ...a, synchronized: false }, a);
    expect(flag).toEqual({ v: [1], s: false });
  });

  it("makes one frozen payload per (state, base), whoever asks", () => {
    const a = state(1, big(1));
    const b = state(2, big(2));
    const first = encodeState(b, a);
    expect(encodeState(b, a)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(encodeState(b, undefined)).toBe(encodeState(b, undefined));
  });

  it("shares a full payload for the rest of the tick only: an idle state keeps no payload", async () => {
    const a = state(1, big(1));
    let payload: WireState | undefined = encodeState(a, undefined);
    expect(Object.isFrozen(payload)).toBe(true);
    expect(encodeState(a, undefined)).toBe(payload); // a fan-out in this tick encodes one object
    const ref = new WeakRef(payload);
    payload = undefined;
    await new Promise((resolve) => setTimeout(resolve, 0));
    collectGarbage();
    expect(ref.deref()).toBeUndefined(); // nothing held it past the tick, though the state lives on
    expect(encodeState(a, undefined)).toEqual({ v: [1], s: true, d: big(1) });
  });

  it("remembers the diffs of one state against several bases (links that skipped different versions)", () => {
    const bases = [1, 2, 3].map((v) => state(v, big(v)));
    const target = state(9, big(9));
    const payloads = bases.map((base) => encodeState(target, base));
    expect(bases.map((base) => encodeState(target, base))).toEqual(payloads);
    for (const [i, base] of bases.entries()) expect(encodeState(target, base)).toBe(payloads[i]);
    expect(payloads[0]!.b).toEqual([1]);
    expect(payloads[2]!.b).toEqual([3]);
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
    expect(ack).toEqual({ v: [2] });
  });

  it("asks for the full state when a diff does not apply", () => {
    const receiver = receiverOf(state(1, { a: 1 }));
    const broken: WireState = { v: [2], s: true, b: [1], p: [{ op: "remove", path: "/missing" }] };
    expect(receiver.receive(broken)).toEqual({ state: undefined, ack: { v: [1], resync: true } });
  });

  it("applies a flag change to the version it holds only", () => {
    const receiver = receiverOf(state(1, { a: 1 }));
    expect(receiver.receive({ v: [1], s: false })!.state).toMatchObject({ data: { a: 1 }, synchronized: false });
    expect(receiver.receive({ v: [7], s: true })!.ack.resync).toBe(true);
  });
});

describe("state sender", () => {
  it("sends every update of a link that holds nothing back, and ends with the latest", () => {
    const sent: WireState[] = [];
    const sender = new StateSender({ transmitState: (w) => void sent.push(w) });
    for (let v = 1; v <= 100; v++) sender.update(state(v, big(v)));
    expect(sent).toHaveLength(100);
    expect(sent.at(-1)!.v).toEqual([100]);
    expect(sender.resumeBase?.version).toEqual([100]); // the last sent: what the receiver will hold
  });

  it("after a resync the current state goes again, in full", () => {
    const sent: WireState[] = [];
    const sender = new StateSender({ transmitState: (w) => void sent.push(w) });
    sender.update(state(1, big(1)));
    sender.update(state(2, big(2)));
    expect(sent.at(-1)!.p).toBeDefined();
    sender.acknowledged({ v: [1], resync: true });
    expect(sent.at(-1)).toMatchObject({ v: [2], d: big(2) });
    expect(sent).toHaveLength(3);
  });

  it("resumes with a diff against a base the receiver still holds, or only the flag for the same version", () => {
    const sent: WireState[] = [];
    const sender = new StateSender({ transmitState: (w) => void sent.push(w) });
    const held = state(1, big(1));
    sender.update(state(2, big(2)));
    sent.length = 0;
    sender.resume([1], 0, held);
    expect(sent[0]!.b).toEqual([1]);
    const other = new StateSender({ transmitState: (w) => void sent.push(w) });
    other.update(state(5, big(5)));
    sent.length = 0;
    other.resume([5], 0, undefined);
    expect(sent).toEqual([{ v: [5], s: true }]);
  });
});

describe("relaying", () => {
  it("forwards a received patch as is when the next peer holds the same base (no diff computed)", () => {
    const receiver = receiverOf(state(1, big(1)));
    const incoming = encodeState(state(2, big(2)), state(1, big(1)));
    const held = receiver.held!;
    const { state: relayed } = receiver.receive(incoming)!;
    const outgoing = encodeState(relayed!, held);
    expect(outgoing.p).toBe(incoming.p);
    expect(outgoing.b).toEqual([1]);
  });
});
