import { expect, it } from "vitest";
import { ObjectDescriptor } from "../../lib/descriptor/object-descriptor.js";
import { ObjectEntry } from "../../lib/exchange/object-entry.js";
import { resolveDataLimits } from "../../lib/state/frozen-data.js";
import type { ObjectState } from "../../lib/state/object-state.js";
import { AckCoalescer } from "../../lib/sync/ack-coalescer.js";
import type { AckPayload } from "../../lib/sync/object-session.js";
import { ObjectTransfer, type TransferLink } from "../../lib/sync/object-transfer.js";
import type { StateSender } from "../../lib/sync/state-sender.js";
import { isDiff } from "../../lib/sync/wire/state-codec.js";
import type { WireState } from "../../lib/sync/wire-state.js";
import { PlainStateReader, wireState } from "./wire/plain-states.js";

/** Lets the acknowledgements merged in this turn go. */
const nextTurn = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

const data = (n: number) => Object.freeze({ n, text: "x".repeat(200) });
const state = (n: number): ObjectState<unknown> => ({ version: [n], format: ["JSON"], data: data(n), synchronized: true });

/** One side of an object's session: what its transfer sent, on a link whose aborts are recorded. */
class RecordingEnd extends ObjectTransfer {
  readonly entry = new ObjectEntry(new ObjectDescriptor([], "transferred"), []);
  readonly states: WireState[] = [];
  readonly acks: AckPayload[] = [];
  congested = false;
  readonly aborts: string[] = [];
  readonly link: TransferLink;

  constructor(maxLength = 64 * 1024) {
    super();
    const aborts = this.aborts;
    this.link = {
      acks: new AckCoalescer(),
      dataLimits: resolveDataLimits({ maxLength }),
      state: "open",
      closed: new Promise(() => {}),
      abort: (reason) => void aborts.push(reason ?? ""),
    };
  }

  get descriptor(): ObjectDescriptor {
    return this.entry.descriptor;
  }

  protected get transferLink(): TransferLink {
    return this.link;
  }

  /** The transfer under test: this end itself. */
  get transfer(): ObjectTransfer {
    return this;
  }

  sendState(wire: WireState): void {
    this.states.push(wire);
  }

  sendAck(ack: AckPayload): void {
    this.acks.push(ack);
  }

  holdsBack(_sender: StateSender): boolean {
    return this.congested;
  }
}

it("sends the first state in full and the next as a diff, recording the diff's length in bytes on the object", () => {
  const end = new RecordingEnd();
  end.transfer.update(state(1));
  end.transfer.update(state(2));
  expect(end.states.map((wire) => (isDiff(wire) ? "patch" : "full"))).toEqual(["full", "patch"]);
  expect(end.entry.lastDiffBytes).toBe(end.states[1]!.length);
});

it("hands what one end sends to the other end's receiver, which acknowledges none of the states it could apply", async () => {
  const sending = new RecordingEnd();
  const receiving = new RecordingEnd();
  sending.transfer.update(state(1));
  sending.transfer.update(state(2));
  const received = sending.states.map((wire) => receiving.transfer.receive(wire)?.data);
  expect(received).toEqual([data(1), data(2)]);
  expect(receiving.transfer.held?.version).toEqual([2]);
  await nextTurn();
  expect(receiving.acks).toEqual([]);
});

it("receives a first diff against the object's state when nothing was expected, and against expect()'s base otherwise", async () => {
  const sending = new RecordingEnd();
  sending.transfer.resume([1], 0, state(1));
  sending.transfer.update(state(2));
  const patch = sending.states[0]!;
  expect(isDiff(patch)).toBe(true);

  const unexpected = new RecordingEnd();
  unexpected.entry.state = state(1);
  expect(unexpected.transfer.receive(patch)?.data).toEqual(data(2));

  const expecting = new RecordingEnd();
  expecting.entry.state = state(1);
  expecting.transfer.expect(undefined);
  expect(expecting.transfer.receive(patch)).toBeUndefined();
  expect(expecting.transfer.receive(wireState({ v: [3], s: true, b: [2], p: [{ op: "replace", path: "/n", value: 3 }] }))).toBeUndefined();
  expect(expecting.acks).toEqual([]);
  await Promise.resolve(); // a resync is asked for after the current burst, once for all of it
  expect(expecting.acks).toEqual([{ resync: true }]);
});

it("answers the peer's resync with the latest state in full, and keeps the last state sent as the resume base", () => {
  const end = new RecordingEnd();
  for (let n = 1; n <= 3; n++) end.transfer.update(state(n));
  expect(end.transfer.resumeBase?.version).toEqual([3]);
  end.transfer.acknowledged({ v: [1], resync: true });
  expect(end.states).toHaveLength(4);
  expect(new PlainStateReader().read(end.states[3]!)).toMatchObject({ v: [3], d: data(3) });
});

it("sends nothing while its end holds it back, and tells the link's congestion which sender waits", () => {
  const end = new RecordingEnd();
  end.congested = true;
  end.transfer.update(state(1));
  expect(end.states).toEqual([]);
  end.congested = false;
  end.transfer.outbound?.flush();
  expect(end.states).toHaveLength(1);
});

it("ends the link for a state over its data limits, acknowledging nothing", async () => {
  const end = new RecordingEnd(100);
  expect(end.transfer.receive(wireState({ v: [1], d: { text: "x".repeat(200) }, s: true }))).toBeUndefined();
  expect(end.aborts).toHaveLength(1);
  expect(end.aborts[0]).toContain("transferred");
  await nextTurn();
  expect(end.acks).toEqual([]);
});

it("keeps both halves on an end that receives and then sends, or sends and then receives: neither forgets what it held", async () => {
  const a = new RecordingEnd();
  const b = new RecordingEnd();
  // a receives from b, then sends to b: its receiver still holds b's last state and takes b's next diff.
  b.transfer.update(state(1));
  a.transfer.receive(b.states[0]!);
  a.transfer.update(state(5));
  b.transfer.update(state(2));
  expect(isDiff(b.states[1]!)).toBe(true);
  expect(a.transfer.receive(b.states[1]!)?.data).toEqual(data(2));
  expect(a.transfer.held?.version).toEqual([2]);
  // b sent, then receives a's states: its sender still diffs against what it sent and holds the resume base.
  b.transfer.receive(a.states[0]!);
  expect(b.transfer.held?.version).toEqual([5]);
  b.transfer.update(state(3));
  expect(isDiff(b.states[2]!)).toBe(true);
  expect(b.transfer.resumeBase?.version).toEqual([3]);
  expect(a.transfer.outbound).toBeDefined();
  await nextTurn();
  expect([a.acks, b.acks]).toEqual([[], []]);
});
