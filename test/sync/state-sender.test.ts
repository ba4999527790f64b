import { expect, it } from "vitest";
import type { ObjectState } from "../../lib/state/object-state.js";
import { StateSender, type StateTransmitter } from "../../lib/sync/state-sender.js";
import type { WireState } from "../../lib/sync/wire-state.js";
import { OutboundPaths, PathDictionary } from "../../lib/sync/wire/path-dictionary.js";
import { type PlainState, PlainStateReader } from "./wire/plain-states.js";

/** A sender's link that records what it transmits, and holds senders back while `congested`. */
class RecordingLink implements StateTransmitter {
  /** What it transmitted, read as the receiver would. */
  readonly sent: PlainState[] = [];
  private readonly reader = new PlainStateReader();
  readonly held = new Set<StateSender>();
  congested = false;

  transmitState(state: WireState): void {
    this.sent.push(this.reader.read(state));
  }

  holdsBack(sender: StateSender): boolean {
    if (this.congested) this.held.add(sender);
    return this.congested;
  }

  get full(): PlainState[] {
    return this.sent.filter((state) => state.d !== undefined);
  }
}

const data = (n: number) => Object.freeze({ n, text: "x".repeat(200) });
const state = (n: number, synchronized = true): ObjectState<unknown> => ({ version: [n], format: ["JSON"], data: data(n), synchronized });

it("sends each update at once, each a diff against the one before, however many go unacknowledged", () => {
  const link = new RecordingLink();
  const sender = new StateSender(link);
  for (let n = 1; n <= 100; n++) sender.update(state(n));
  expect(link.sent.map((wire) => wire.v)).toEqual(Array.from({ length: 100 }, (_, i) => [i + 1]));
  expect(link.full).toHaveLength(1);
  for (let n = 2; n <= 100; n++) expect(link.sent[n - 1]).toMatchObject({ b: [n - 1], v: [n] });
  expect(sender.resumeBase?.version).toEqual([100]);
});

it("takes acknowledgements that ask for nothing as nothing", () => {
  const link = new RecordingLink();
  const sender = new StateSender(link);
  sender.update(state(1));
  sender.update(state(2));
  for (const ack of [{}, { v: [1] }, { v: [999] }, { v: [2], resync: false }]) sender.acknowledged(ack);
  expect(link.sent).toHaveLength(2);
  sender.update(state(3));
  expect(link.sent.at(-1)).toMatchObject({ b: [2], v: [3] });
});

it("answers requests for the full state with at most one full state per version", () => {
  const link = new RecordingLink();
  const sender = new StateSender(link);
  sender.update(state(1));
  expect(link.full).toHaveLength(1);
  for (let i = 0; i < 10; i++) sender.acknowledged({ resync: true });
  expect(link.full).toHaveLength(1);

  sender.update(state(2));
  expect(link.sent.at(-1)?.p).toBeDefined(); // a diff
  for (let i = 0; i < 10; i++) sender.acknowledged({ v: [1], resync: true });
  expect(link.full.map((full) => full.v)).toEqual([[1], [2]]);
  sender.update(state(3));
  expect(link.sent.at(-1)).toMatchObject({ b: [2], v: [3] }); // a diff again, against the full state
});

it("answers a resync that comes while it is held back with the latest state in full once released", () => {
  const link = new RecordingLink();
  const sender = new StateSender(link);
  sender.update(state(1));
  sender.update(state(2));
  link.congested = true;
  sender.update(state(3));
  sender.acknowledged({ v: [1], resync: true });
  expect(link.sent).toHaveLength(2);
  link.congested = false;
  sender.flush();
  expect(link.sent).toHaveLength(3);
  expect(link.sent[2]).toMatchObject({ v: [3], d: data(3) });
});

it("sends only the flag to a receiver that says it holds the latest version", () => {
  const link = new RecordingLink();
  const sender = new StateSender(link);
  sender.update(state(3, true));
  link.sent.length = 0;
  sender.resume([3], 0, undefined);
  expect(link.sent).toEqual([{ v: [3], s: true }]);

  // The state it holds, unsynchronized, and the same data synchronized since.
  const held = state(4, false);
  const other = new RecordingLink();
  const fresh = new StateSender(other);
  fresh.resume([4], 0, held);
  fresh.update({ ...held, synchronized: true });
  expect(other.sent).toEqual([{ v: [4], s: true }]);
});

it("keeps only the latest state while its link holds it back, and sends it as one diff once flushed", () => {
  const link = new RecordingLink();
  const sender = new StateSender(link);
  sender.update(state(1));
  link.congested = true;
  for (let n = 2; n <= 50; n++) sender.update(state(n));
  expect(link.sent).toHaveLength(1);
  expect(link.held.has(sender)).toBe(true);

  link.congested = false;
  sender.flush();
  expect(link.sent).toHaveLength(2);
  expect(link.sent[1]).toMatchObject({ v: [50], b: [1] });
});

it("takes a receiver's word for a version only in its epoch: the same version of another election goes in full", () => {
  const held = { ...state(1, true), epoch: 1 };
  const link = new RecordingLink();
  new StateSender(link).resume([1], 2, held);
  const sender = new StateSender(link);
  sender.update(held);
  link.sent.length = 0;
  sender.resume([1], 2, undefined);
  expect(link.sent).toEqual([expect.objectContaining({ v: [1], e: 1, d: expect.anything() })]);
  const other = new RecordingLink();
  const resumed = new StateSender(other);
  resumed.resume([1], 2, held);
  resumed.update({ ...held, version: [2] });
  expect(other.sent).toEqual([expect.objectContaining({ v: [2], e: 1, d: expect.anything() })]);
});

it("asks its link for the receiver's interned paths only for a diff: an object that never changes needs no table of them", () => {
  const dictionary = new PathDictionary();
  let asked = 0;
  const link = new (class extends RecordingLink {
    readonly #paths = new OutboundPaths(dictionary);
    get paths(): OutboundPaths {
      asked++;
      return this.#paths;
    }
  })();
  const sender = new StateSender(link);
  sender.update(state(1));
  sender.acknowledged({ resync: true });
  expect(asked).toBe(0);
  sender.update(state(2));
  expect(link.sent.at(-1)).toMatchObject({ b: [1], v: [2] });
  expect(asked).toBe(1);
  expect(dictionary.paths).toEqual(["/n"]);
});
