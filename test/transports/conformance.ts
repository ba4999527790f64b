import { afterEach, describe, expect, it } from "vitest";
import type { Carrier, CarrierCloseEvent } from "../../transports/carrier.js";
import { CarrierAlreadyAttachedError } from "../../transports/carrier-already-attached-error.js";
import { CarrierClosedError } from "../../transports/carrier-closed-error.js";
import { CARRIER_WAIT_MS, record, settle } from "./carrier-recorder.js";

/** A connected pair of carriers, and how to release whatever backs them. */
export interface CarrierPair {
  readonly a: Carrier;
  readonly b: Carrier;
  dispose(): Promise<void>;
}

/** A message whose content identifies its index and size, so reordering or damage is detected. */
function patterned(index: number, size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (index * 31 + i * 7) & 0xff;
  return bytes;
}

/** Index of the first differing byte (or the shorter length), -1 when equal; cheap on megabyte messages. */
function mismatch(actual: Uint8Array | undefined, expected: Uint8Array): number {
  if (actual === undefined) return 0;
  const length = Math.min(actual.byteLength, expected.byteLength);
  for (let i = 0; i < length; i++) if (actual[i] !== expected[i]) return i;
  return actual.byteLength === expected.byteLength ? -1 : length;
}

const SIZES = [0, 1, 2, 125, 126, 127, 65_535, 65_536, 1 << 20, 3, 0, 17];

/**
 * Registers the behaviour every carrier must show, against pairs made by `connect`:
 * ordered whole-message delivery, buffering before attach, close propagation, send-after-close.
 */
export function describeCarrierConformance(name: string, connect: () => Promise<CarrierPair>): void {
  describe(`${name} carrier conformance`, () => {
    let pair: CarrierPair | undefined;
    const open = async (): Promise<CarrierPair> => (pair = await connect());
    afterEach(async () => {
      pair?.a.close();
      pair?.b.close();
      await pair?.dispose();
      pair = undefined;
    });

    it("delivers many messages of varied sizes whole and in order, both ways at once", async () => {
      const { a, b } = await open();
      const atA = record(a);
      const atB = record(b);
      const sizes = [...SIZES, ...Array.from({ length: 300 }, (_, i) => (i * 37) % 300)];
      sizes.forEach((size, i) => {
        a.send(patterned(i, size));
        b.send(patterned(i + 1, size));
      });
      await atB.until(() => atB.messages.length === sizes.length);
      await atA.until(() => atA.messages.length === sizes.length);
      sizes.forEach((size, i) => {
        expect(mismatch(atB.messages[i], patterned(i, size)), `message ${i} a→b`).toBe(-1);
        expect(mismatch(atA.messages[i], patterned(i + 1, size)), `message ${i} b→a`).toBe(-1);
      });
    });

    it("never delivers inside the sender's call", async () => {
      const { a, b } = await open();
      const atA = record(a);
      const atB = record(b);
      a.send(new Uint8Array([1]));
      await atB.until(() => atB.messages.length === 1);
      b.send(new Uint8Array([2]));
      expect(atA.messages).toHaveLength(0);
      await atA.until(() => atA.messages.length === 1);
    });

    it("holds messages that arrive before attach and delivers them after, in order", async () => {
      const { a, b } = await open();
      for (let i = 0; i < 5; i++) a.send(patterned(i, i * 10));
      await settle(20);
      const atB = record(b);
      expect(atB.messages).toHaveLength(0);
      a.send(patterned(5, 50));
      await atB.until(() => atB.messages.length === 6);
      atB.messages.forEach((bytes, i) => expect(bytes).toEqual(patterned(i, i * 10)));
    });

    it("propagates close: each side's handler fires exactly once with byPeer set right", async () => {
      const { a, b } = await open();
      const atA = record(a);
      const atB = record(b);
      a.close("finished here");
      expect(a.state).toBe("closed");
      await atB.until(() => atB.closes.length === 1);
      await atA.until(() => atA.closes.length === 1);
      await settle(20);
      expect(atA.closes).toEqual([{ reason: "finished here", byPeer: false }]);
      expect(atB.closes).toHaveLength(1);
      expect(atB.closes[0]?.byPeer).toBe(true);
      expect(atB.closes[0]?.reason).toContain("finished here");
      expect(b.state).toBe("closed");
    });

    it("delivers everything sent before close ahead of the peer's close event", async () => {
      const { a, b } = await open();
      const events: string[] = [];
      b.attach({ message: (bytes) => events.push(`m${bytes.byteLength}`), close: () => events.push("close") });
      record(a);
      a.send(new Uint8Array(1));
      a.send(new Uint8Array(100_000));
      a.send(new Uint8Array(3));
      a.close();
      await expect.poll(() => events.length, { timeout: CARRIER_WAIT_MS }).toBe(4);
      expect(events).toEqual(["m1", "m100000", "m3", "close"]);
    });

    it("delivers no message after a local close", async () => {
      const { a, b } = await open();
      const atA = record(a);
      const atB = record(b);
      b.send(new Uint8Array([1]));
      a.close();
      await atB.until(() => atB.closes.length === 1);
      await settle(20);
      expect(atA.messages).toHaveLength(0);
      expect(atA.closes).toHaveLength(1);
    });

    it("stops delivering when the message handler closes the carrier, and fires close once", async () => {
      const { a, b } = await open();
      const atA = record(a);
      for (let i = 0; i < 3; i++) a.send(patterned(i, 4));
      await settle(20);
      const received: number[] = [];
      const closes: CarrierCloseEvent[] = [];
      b.attach({
        message: (bytes) => {
          received.push(bytes.byteLength);
          b.close("seen enough");
        },
        close: (event) => closes.push(event),
      });
      a.send(patterned(3, 4));
      await atA.until(() => atA.closes.length === 1);
      await settle(20);
      expect(received).toEqual([4]);
      expect(closes).toEqual([{ reason: "seen enough", byPeer: false }]);
    });

    it("fires the close handler when the carrier closed before attach", async () => {
      const { a, b } = await open();
      const atB = record(b);
      a.close("early");
      const atA = record(a);
      await atA.until(() => atA.closes.length === 1);
      expect(atA.closes[0]).toEqual({ reason: "early", byPeer: false });
      await atB.until(() => atB.closes.length === 1);
    });

    it("throws CarrierClosedError on send after close, on both sides", async () => {
      const { a, b } = await open();
      record(a);
      const atB = record(b);
      a.close("shutting down");
      expect(() => a.send(new Uint8Array([1]))).toThrow(CarrierClosedError);
      expect(() => a.send(new Uint8Array([1]))).toThrow(/closed \(shutting down\)/);
      await atB.until(() => atB.closes.length === 1);
      const error = (() => {
        try {
          b.send(new Uint8Array([1]));
        } catch (thrown) {
          return thrown;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(CarrierClosedError);
      expect((error as CarrierClosedError).peer).toBe(b.peer);
    });

    it("treats close as idempotent, also after the peer closed", async () => {
      const { a, b } = await open();
      const atA = record(a);
      const atB = record(b);
      a.close("first");
      a.close("second");
      await atB.until(() => atB.closes.length === 1);
      b.close("late");
      await settle(20);
      expect(atA.closes).toEqual([{ reason: "first", byPeer: false }]);
      expect(atB.closes).toHaveLength(1);
      expect(atB.closes[0]?.byPeer).toBe(true);
    });

    it("rejects a second consumer", async () => {
      const { a } = await open();
      record(a);
      expect(() => record(a)).toThrow(CarrierAlreadyAttachedError);
    });

    it("closes with the error when the message handler throws, and tells the peer", async () => {
      const { a, b } = await open();
      const atB = record(b);
      const closes: CarrierCloseEvent[] = [];
      a.attach({
        message: () => {
          throw new Error("bad bytes");
        },
        close: (event) => closes.push(event),
      });
      b.send(new Uint8Array([1]));
      b.send(new Uint8Array([2]));
      await expect.poll(() => closes.length, { timeout: CARRIER_WAIT_MS }).toBe(1);
      expect(closes[0]?.error?.message).toBe("bad bytes");
      expect(closes[0]?.byPeer).toBe(false);
      expect(a.state).toBe("closed");
      await atB.until(() => atB.closes.length === 1);
      expect(atB.closes[0]?.byPeer).toBe(true);
    });

    it("reports a sane bufferedAmount", async () => {
      const { a, b } = await open();
      const atB = record(b);
      expect(a.bufferedAmount).toBe(0);
      a.send(new Uint8Array(1 << 20));
      expect(a.bufferedAmount).toBeGreaterThanOrEqual(0);
      expect(a.bufferedAmount).toBeLessThanOrEqual((1 << 20) + 16);
      await atB.until(() => atB.messages.length === 1);
      await expect.poll(() => a.bufferedAmount, { timeout: CARRIER_WAIT_MS }).toBe(0);
    });
  });
}
