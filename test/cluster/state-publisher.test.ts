import { describe, expect, it } from "vitest";
import { ObjectDescriptor } from "../../lib/descriptor/object-descriptor.js";
import type { ObjectState } from "../../lib/state/object-state.js";
import { StateFollower } from "../../lib/cluster/state-follower.js";
import { MESSAGES_IN_FLIGHT, StatePublisher } from "../../lib/cluster/state-publisher.js";
import type { StateFrame } from "../../lib/cluster/state-store.js";
import { isDiff, versionCheck } from "../../lib/sync/wire/state-codec.js";

const descriptor = new ObjectDescriptor(["t"], "x");

function state(n: number, epoch = 1): ObjectState<unknown> {
  return { version: [n], format: ["JSON"], data: { n, text: "a fairly long text that stays the same from one state to the next" }, synchronized: true, epoch };
}

/** A publisher whose sends are recorded and answered by the test (`answer`), one at a time. */
function recordingPublisher(epoch = 1) {
  const sent: Array<{ message: StateFrame; full: StateFrame }> = [];
  const answers: Array<(taken: boolean) => void> = [];
  let refused = 0;
  const publisher = new StatePublisher(
    epoch,
    (message, full) => {
      sent.push({ message, full });
      return new Promise<boolean>((resolve) => answers.push(resolve));
    },
    () => refused++,
  );
  const answer = async (taken = true) => {
    answers.shift()!(taken);
    await new Promise<void>((resolve) => setImmediate(resolve));
  };
  return { publisher, sent, answer, refused: () => refused };
}

describe("StatePublisher and StateFollower", () => {
  it("send one numbered message per update, a diff after the first, which a follower applies in order", async () => {
    const { publisher, sent, answer } = recordingPublisher();
    const resyncs: number[] = [];
    const follower = new StateFollower(descriptor, () => resyncs.push(1), () => {});
    for (let n = 1; n <= 3; n++) {
      publisher.offer(state(n));
      await answer();
    }
    expect(sent.map(({ message }) => [message.epoch, message.seq, isDiff(message.wire)])).toEqual([
      [1, 1, false],
      [1, 2, true],
      [1, 3, true],
    ]);
    expect(sent.every(({ full }) => !isDiff(full.wire))).toBe(true);
    expect(sent.map(({ message }) => follower.message(message)?.data)).toEqual([state(1).data, state(2).data, state(3).data]);
    expect(resyncs).toEqual([]);
  });

  it("send only the latest of the states offered while the messages in flight are at their most, and stop when Redis refuses the holding", async () => {
    const { publisher, sent, answer, refused } = recordingPublisher();
    for (let n = 1; n <= MESSAGES_IN_FLIGHT + 3; n++) publisher.offer(state(n));
    expect(sent).toHaveLength(MESSAGES_IN_FLIGHT);
    await answer();
    expect(sent.map(({ message }) => message.seq)).toEqual(Array.from({ length: MESSAGES_IN_FLIGHT + 1 }, (_, i) => i + 1));
    expect(new StateFollower(descriptor, () => {}, () => {}).stored(sent.at(-1)!.full)?.version).toEqual([MESSAGES_IN_FLIGHT + 3]);
    await answer(false);
    await answer(false);
    publisher.offer(state(100));
    publisher.offer(state(101));
    expect(refused()).toBe(1);
    expect(sent).toHaveLength(MESSAGES_IN_FLIGHT + 1);
  });

  it("have a follower that lost a message resync from the stored state rather than apply the next diff", async () => {
    const { publisher, sent, answer } = recordingPublisher();
    let resyncs = 0;
    const follower = new StateFollower(descriptor, () => resyncs++, () => {});
    for (let n = 1; n <= 3; n++) {
      publisher.offer(state(n));
      await answer();
    }
    expect(follower.message(sent[0]!.message)?.version).toEqual([1]);
    expect(follower.message(sent[2]!.message)).toBeUndefined(); // number 2 was lost
    expect(resyncs).toBe(1);
    expect(follower.stored(sent[2]!.full)?.version).toEqual([3]);
    expect(follower.stored(sent[1]!.full)).toBeUndefined(); // older than what it took
    expect(follower.message(sent[1]!.message)).toBeUndefined();
  });

  it("have a follower drop the frames of an earlier holding once it took a later one's", async () => {
    const former = recordingPublisher(1);
    const current = recordingPublisher(2);
    former.publisher.offer(state(1, 1));
    await former.answer();
    former.publisher.offer(state(9, 1));
    current.publisher.offer(state(2, 2));
    await current.answer();
    let resyncs = 0;
    const follower = new StateFollower(descriptor, () => resyncs++, () => {});
    expect(follower.message(former.sent[0]!.message)?.version).toEqual([1]);
    expect(follower.message(current.sent[0]!.message)?.version).toEqual([2]);
    expect(follower.message(former.sent[1]!.message)).toBeUndefined();
    expect(follower.stored(former.sent[1]!.full)).toBeUndefined();
    expect(resyncs).toBe(0); // dropped, not mistaken for a gap
  });

  it("have a follower resync after a lost message even when the next diff's base looks like the state it holds", async () => {
    const { publisher, sent, answer } = recordingPublisher();
    let resyncs = 0;
    const follower = new StateFollower(descriptor, () => resyncs++, () => {});
    // Versions [1] and [256] share the wire's one-byte base check: only the message numbers tell the gap.
    expect(versionCheck([256])).toBe(versionCheck([1]));
    for (const n of [1, 256, 257]) {
      publisher.offer(state(n));
      await answer();
    }
    expect(follower.message(sent[0]!.message)?.version).toEqual([1]);
    expect(follower.message(sent[2]!.message)).toBeUndefined();
    expect(resyncs).toBe(1);
  });
});
