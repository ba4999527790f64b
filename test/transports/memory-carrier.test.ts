import fc from "fast-check";
import { afterEach, describe, expect, it, vi } from "vitest";
import { bitFlipCorruption } from "../../transports/bit-flip-corruption.js";
import { CarrierClosedError } from "../../transports/carrier-closed-error.js";
import { createMemoryCarrierPair } from "../../transports/memory-carrier.js";
import { record, settle } from "./carrier-recorder.js";
import { describeCarrierConformance } from "./conformance.js";

describeCarrierConformance("memory", async () => {
  const { a, b } = createMemoryCarrierPair();
  return { a, b, dispose: async () => {} };
});

const bytes = (...values: number[]): Uint8Array => new Uint8Array(values);
/** Runs every queued microtask (delivery with no delay happens there). */
const microtasks = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

describe("memory carrier faults", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("names both ends after the link", () => {
    const { a, b } = createMemoryCarrierPair({ name: "left-right" });
    expect(a.peer).toBe("left-right:b");
    expect(b.peer).toBe("left-right:a");
    a.close();
  });

  it("delay holds each message for the given time, and keeps order when the delay shrinks", async () => {
    vi.useFakeTimers();
    const { a, b, faults } = createMemoryCarrierPair({ delayMs: 50 });
    const atB = record(b);
    a.send(bytes(1));
    await vi.advanceTimersByTimeAsync(49);
    expect(atB.messages).toEqual([]);
    faults.delay(0);
    a.send(bytes(2));
    await vi.advanceTimersByTimeAsync(0);
    expect(atB.messages).toEqual([]);
    expect(a.bufferedAmount).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(atB.messages).toEqual([bytes(1), bytes(2)]);
    expect(a.bufferedAmount).toBe(0);
    a.close();
    await vi.advanceTimersByTimeAsync(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("delay can differ per direction, and delays the close too", async () => {
    vi.useFakeTimers();
    const { a, b, faults } = createMemoryCarrierPair();
    faults.delay(100, "aToB");
    const atA = record(a);
    const atB = record(b);
    b.send(bytes(7));
    a.send(bytes(8));
    a.close();
    await vi.advanceTimersByTimeAsync(0);
    expect(atA.messages).toEqual([]);
    expect(atA.closes).toEqual([{ reason: "closed", byPeer: false }]);
    expect(atB.messages).toEqual([]);
    expect(b.state).toBe("open");
    await vi.advanceTimersByTimeAsync(100);
    expect(atB.messages).toEqual([bytes(8)]);
    expect(atB.closes).toEqual([{ reason: "closed by peer", byPeer: true }]);
  });

  it("cut closes both ends with byPeer=true, loses what was in flight and leaves no timers", async () => {
    vi.useFakeTimers();
    const { a, b, faults } = createMemoryCarrierPair({ delayMs: 10 });
    const atA = record(a);
    const atB = record(b);
    a.send(bytes(1));
    b.send(bytes(2));
    faults.cut();
    expect(a.state).toBe("closed");
    expect(b.state).toBe("closed");
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(100);
    expect(atA.closes).toEqual([{ reason: "connection cut", byPeer: true }]);
    expect(atB.closes).toEqual([{ reason: "connection cut", byPeer: true }]);
    expect(atA.messages).toEqual([]);
    expect(atB.messages).toEqual([]);
    expect(a.bufferedAmount).toBe(0);
    expect(() => a.send(bytes(3))).toThrow(CarrierClosedError);
    expect(() => b.send(bytes(3))).toThrow(/connection cut/);
  });

  it("cut keeps messages that already arrived before attach", async () => {
    const { a, b, faults } = createMemoryCarrierPair();
    a.send(bytes(1));
    await microtasks();
    faults.cut("reset");
    const atB = record(b);
    await atB.until(() => atB.closes.length === 1);
    expect(atB.messages).toEqual([bytes(1)]);
    expect(atB.closes).toEqual([{ reason: "reset", byPeer: true }]);
  });

  it("drop goes silent both ways without telling anyone, for good", async () => {
    const { a, b, faults } = createMemoryCarrierPair();
    const atA = record(a);
    const atB = record(b);
    a.send(bytes(1));
    faults.drop();
    a.send(bytes(2));
    b.send(bytes(3));
    faults.resume();
    await settle(20);
    expect(atA.messages).toEqual([]);
    expect(atB.messages).toEqual([]);
    expect(atA.closes).toEqual([]);
    expect(atB.closes).toEqual([]);
    expect(a.state).toBe("open");
    expect(b.state).toBe("open");
    expect(faults.counters.aToB.messagesSent).toBe(2);
    expect(faults.counters.aToB.messagesDelivered).toBe(0);

    a.close("keep-alive timed out");
    await atA.until(() => atA.closes.length === 1);
    expect(atA.closes).toEqual([{ reason: "keep-alive timed out", byPeer: false }]);
    await settle(20);
    expect(atB.closes).toEqual([]);
    expect(b.state).toBe("open");
    b.close();
    await atB.until(() => atB.closes.length === 1);
    expect(atB.closes[0]?.byPeer).toBe(false);
  });

  it("drop in one direction silences that way only: the other still carries messages and the close", async () => {
    const { a, b, faults } = createMemoryCarrierPair();
    const atA = record(a);
    const atB = record(b);
    a.send(bytes(1));
    faults.drop("aToB");
    a.send(bytes(2));
    b.send(bytes(3));
    b.close("keep-alive timed out");
    await atA.until(() => atA.closes.length === 1);
    expect(atA.messages).toEqual([bytes(3)]);
    expect(atA.closes).toEqual([{ reason: "keep-alive timed out", byPeer: true }]);
    expect(atB.messages).toEqual([]);
    expect(faults.counters.aToB).toMatchObject({ messagesSent: 2, messagesDelivered: 0 });
  });

  it("corrupt damages messages in flight, in place or by replacement, until switched off", async () => {
    const { a, b, faults } = createMemoryCarrierPair();
    const atB = record(b);
    const atA = record(a);
    faults.corrupt((message, direction) => {
      if (direction === "bToA") return message.subarray(0, 1);
      message[0] = 0xff;
    });
    const sent = bytes(1, 2, 3);
    a.send(sent);
    b.send(bytes(4, 5, 6));
    faults.corrupt(undefined);
    a.send(bytes(1, 2, 3));
    await atB.until(() => atB.messages.length === 2);
    await atA.until(() => atA.messages.length === 1);
    expect(sent).toEqual(bytes(1, 2, 3));
    expect(atB.messages).toEqual([bytes(0xff, 2, 3), bytes(1, 2, 3)]);
    expect(atA.messages).toEqual([bytes(4)]);
    a.close();
  });

  it("bitFlipCorruption flips exactly one bit in the chosen share of messages, reproducibly by seed", () => {
    fc.assert(
      fc.property(fc.integer(), fc.double({ min: 0, max: 1, noNaN: true }), (seed, probability) => {
        const run = (): number[] => {
          const corrupt = bitFlipCorruption({ seed, probability });
          const flips: number[] = [];
          for (let i = 0; i < 50; i++) {
            const message = new Uint8Array(1 + (i % 7));
            corrupt(message, "aToB");
            const bits = message.reduce((sum, byte) => sum + popcount(byte), 0);
            expect(bits).toBeLessThanOrEqual(1);
            flips.push(bits);
          }
          return flips;
        };
        const flips = run();
        expect(run()).toEqual(flips);
        if (probability === 0) expect(flips.every((bits) => bits === 0)).toBe(true);
        if (probability === 1) expect(flips.every((bits) => bits === 1)).toBe(true);
      }),
      { numRuns: 100, seed: 42 },
    );
  });

  it("bitFlipCorruption rejects a probability outside 0..1", () => {
    expect(() => bitFlipCorruption({ seed: 1, probability: 1.5 })).toThrow(RangeError);
    expect(() => bitFlipCorruption({ seed: 1, probability: Number.NaN })).toThrow(RangeError);
  });

  it("pause holds delivery (bufferedAmount grows) and resume releases it in order", async () => {
    const { a, b, faults } = createMemoryCarrierPair();
    const atA = record(a);
    const atB = record(b);
    faults.pause("aToB");
    a.send(bytes(1));
    a.send(bytes(2, 2));
    b.send(bytes(3));
    await atA.until(() => atA.messages.length === 1);
    await settle(20);
    expect(atB.messages).toEqual([]);
    expect(a.bufferedAmount).toBe(3);
    faults.resume("aToB");
    await atB.until(() => atB.messages.length === 2);
    expect(atB.messages).toEqual([bytes(1), bytes(2, 2)]);
    expect(a.bufferedAmount).toBe(0);

    faults.pause();
    a.close();
    b.send(bytes(4));
    await settle(20);
    expect(b.state).toBe("open");
    faults.resume();
    await atB.until(() => atB.closes.length === 1);
    expect(atA.messages).toEqual([bytes(3)]);
  });

  it("counts messages and bytes each way, and resets the counters", async () => {
    const { a, b, faults } = createMemoryCarrierPair();
    const atB = record(b);
    record(a);
    a.send(bytes(1, 2));
    a.send(bytes());
    b.send(bytes(1, 2, 3, 4, 5));
    await atB.until(() => atB.messages.length === 2);
    await settle(0);
    expect(faults.counters).toEqual({
      aToB: { messagesSent: 2, bytesSent: 2, messagesDelivered: 2, bytesDelivered: 2 },
      bToA: { messagesSent: 1, bytesSent: 5, messagesDelivered: 1, bytesDelivered: 5 },
    });
    faults.resetCounters();
    expect(faults.counters.aToB).toMatchObject({ messagesSent: 0, bytesSent: 0, messagesDelivered: 0 });
    expect(faults.counters.bToA.bytesDelivered).toBe(0);
    a.close();
  });

  it("keeps order under any mix of delays, pauses and resumes", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.record({ kind: fc.constant("send" as const), size: fc.nat(64) }),
            fc.record({ kind: fc.constant("delay" as const), ms: fc.nat(30) }),
            fc.record({ kind: fc.constant("pause" as const) }),
            fc.record({ kind: fc.constant("resume" as const) }),
            fc.record({ kind: fc.constant("tick" as const), ms: fc.nat(40) }),
          ),
          { maxLength: 60 },
        ),
        async (steps) => {
          vi.useFakeTimers();
          try {
            const { a, b, faults } = createMemoryCarrierPair();
            const atB = record(b);
            let sent = 0;
            for (const step of steps) {
              if (step.kind === "send") a.send(new Uint8Array(step.size).fill(sent++ & 0xff));
              else if (step.kind === "delay") faults.delay(step.ms);
              else if (step.kind === "pause") faults.pause();
              else if (step.kind === "resume") faults.resume();
              else await vi.advanceTimersByTimeAsync(step.ms);
            }
            faults.resume();
            await vi.advanceTimersByTimeAsync(100);
            expect(atB.messages.map((m) => m[0] ?? -1)).toEqual(
              steps
                .filter((step) => step.kind === "send")
                .map((step, i) => (step.size === 0 ? -1 : i & 0xff)),
            );
            a.close();
            await vi.advanceTimersByTimeAsync(100);
            expect(vi.getTimerCount()).toBe(0);
          } finally {
            vi.useRealTimers();
          }
        },
      ),
      { numRuns: 50, seed: 7 },
    );
  });

  it("rejects a negative or non-finite delay", () => {
    expect(() => createMemoryCarrierPair({ delayMs: -1 })).toThrow(RangeError);
    const { a, faults } = createMemoryCarrierPair();
    expect(() => faults.delay(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    a.close();
  });
});

function popcount(byte: number): number {
  let count = 0;
  for (let b = byte; b !== 0; b &= b - 1) count++;
  return count;
}
