import { describe, expect, it } from "vitest";
import { BindingOptionsError } from "../../bindings/binding-options-error.js";
import { DEFAULT_FLOW_WINDOW_BYTES, FlowWindow, MIN_FLOW_WINDOW_BYTES, RECEIPT_BYTES } from "../../bindings/flow-window.js";
import { FLAG_RECEIPT, readFrameHeader } from "../../bindings/frame-header.js";
import { createSessionMux } from "../../bindings/session-mux.js";
import { varUintSize, writeVarUint } from "../../bindings/varint.js";
import { CodecError } from "../../lib/choreography/errors.js";
import type { SessionMux } from "../../lib/choreography/wire.js";
import { createMemoryCarrierPair } from "../../transports/memory-carrier.js";
import { frames, message } from "./frames.js";
import { ScriptedCarrier } from "./scripted-carrier.js";

/** Lets microtask-driven delivery (batch flush, memory link) run to completion. */
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

function varint(value: number): Uint8Array {
  const bytes = new Uint8Array(varUintSize(value));
  writeVarUint(bytes, 0, value);
  return bytes;
}

/** Attaches a consumer that takes every frame and remembers how the connection ended. */
function consume(mux: SessionMux, receive: () => void = () => {}): { error: Error | undefined; frames: number } {
  const seen = { error: undefined as Error | undefined, frames: 0 };
  mux.attach({
    receive: () => {
      seen.frames++;
      receive();
    },
    sessionEnded: () => {},
    closed: (error) => {
      seen.error = error;
    },
  });
  return seen;
}

/** The bytes of a frame of `payloadBytes` on session 1, lane 0, label 0 (a one-byte-varint header). */
const frameBytes = (payloadBytes: number) => 5 + payloadBytes;

describe("FlowWindow", () => {
  it("counts what was sent until receipts take it off", () => {
    const flow = new FlowWindow();
    flow.sent(60);
    flow.sent(50);
    expect(flow.unacknowledged).toBe(110);
    flow.receipted(varint(30));
    expect(flow.unacknowledged).toBe(80);
    flow.receipted(varint(80));
    expect(flow.unacknowledged).toBe(0);
  });

  it("answers what it received with a receipt every RECEIPT_BYTES, whatever its own window", () => {
    for (const window of [MIN_FLOW_WINDOW_BYTES, DEFAULT_FLOW_WINDOW_BYTES, 16 * DEFAULT_FLOW_WINDOW_BYTES]) {
      const flow = new FlowWindow(window);
      expect(flow.received(10)).toBeUndefined();
      expect(flow.received(RECEIPT_BYTES - 11)).toBeUndefined();
      expect(flow.received(1)).toEqual(varint(RECEIPT_BYTES));
      expect(flow.received(24)).toBeUndefined();
      expect(flow.received(RECEIPT_BYTES)).toEqual(varint(RECEIPT_BYTES + 24));
    }
  });

  it("refuses receipts for more than was sent, of zero bytes, or not one varint", () => {
    const flow = new FlowWindow();
    flow.sent(10);
    expect(() => flow.receipted(varint(11))).toThrow(CodecError);
    expect(() => flow.receipted(varint(11))).toThrow(/receipt for 11 bytes came when only 10 were sent/);
    expect(() => flow.receipted(varint(0))).toThrow(/Malformed receipt/);
    expect(() => flow.receipted(Uint8Array.of(1, 1))).toThrow(/Malformed receipt/);
    expect(() => flow.receipted(Uint8Array.of(0x80))).toThrow(CodecError);
    expect(() => flow.receipted(new Uint8Array(0))).toThrow(CodecError);
    expect(flow.unacknowledged).toBe(10);
  });

  it("refuses a window that cannot be a varint or leaves no room for a receipt in flight", () => {
    for (const bad of [0, MIN_FLOW_WINDOW_BYTES - 1, 1.5, -1, 2 ** 32, Number.NaN]) expect(() => new FlowWindow(bad)).toThrow(BindingOptionsError);
    expect(new FlowWindow().windowBytes).toBe(DEFAULT_FLOW_WINDOW_BYTES);
  });

  it("refuses receipt headers with a session, lane, label or another flag", () => {
    const read = (bytes: number[]) => () => readFrameHeader({ bytes: Uint8Array.from(bytes), pos: 0 }, { flags: 0, session: 0, lane: 0, label: 0, length: 0 });
    expect(read([FLAG_RECEIPT, 0, 0, 0, 1])).not.toThrow();
    for (const bad of [[FLAG_RECEIPT, 1, 0, 0, 1], [FLAG_RECEIPT, 0, 1, 0, 1], [FLAG_RECEIPT, 0, 0, 1, 1], [FLAG_RECEIPT | 1, 0, 0, 0, 1], [FLAG_RECEIPT | 2, 0, 0, 0, 1], [FLAG_RECEIPT | 4, 0, 0, 0, 1]]) {
      expect(read(bad)).toThrow(/Malformed receipt frame/);
    }
  });
});

describe("flow receipts between two session muxes", () => {
  it("count what one side sent until the other read it, and tell the sender when a receipt arrives", async () => {
    const link = createMemoryCarrierPair();
    const a = createSessionMux(link.a, { compression: false });
    const b = createSessionMux(link.b, { compression: false });
    consume(a);
    const reader = consume(b);
    let receipts = 0;
    a.onReceipt(() => receipts++);
    link.faults.pause("aToB");
    const quarter = RECEIPT_BYTES / 4;
    const payload = new Uint8Array(quarter - 6); // a frame of a quarter of a receipt (a 2-byte length varint)
    for (let index = 0; index < 4; index++) a.send(1, 0, 0, payload);
    expect(a.unacknowledgedBytes).toBe(RECEIPT_BYTES);
    await settle();
    expect(a.unacknowledgedBytes).toBe(RECEIPT_BYTES); // nothing read: nothing receipted
    expect(receipts).toBe(0);
    link.faults.resume("aToB");
    await settle();
    expect(reader.frames).toBe(4);
    expect(receipts).toBe(1); // one carrier message read: one receipt, for all of it
    expect(a.unacknowledgedBytes).toBe(0);
    a.send(1, 0, 0, new Uint8Array(95)); // 100 bytes: under RECEIPT_BYTES, no receipt
    await settle();
    expect(receipts).toBe(1);
    expect(a.unacknowledgedBytes).toBe(frameBytes(95));
    a.send(1, 0, 0, new Uint8Array(RECEIPT_BYTES));
    await settle();
    expect(receipts).toBe(2);
    expect(a.unacknowledgedBytes).toBe(0);
    expect(b.unacknowledgedBytes).toBe(0); // receipts are not counted themselves
    a.close();
  });

  it("go in the batch the reader sends anyway, not in a carrier message of their own", async () => {
    const link = createMemoryCarrierPair();
    const a = createSessionMux(link.a, { compression: false });
    const b = createSessionMux(link.b, { compression: false });
    consume(a);
    consume(b, () => b.send(2, 0, 0, "answer"));
    a.send(1, 0, 0, new Uint8Array(RECEIPT_BYTES));
    await settle();
    expect(link.faults.counters.bToA.messagesSent).toBe(1);
    expect(a.unacknowledgedBytes).toBe(0);
    a.close();
  });

  it("count session resets like any frame", async () => {
    const link = createMemoryCarrierPair();
    const a = createSessionMux(link.a);
    const b = createSessionMux(link.b);
    consume(a);
    consume(b);
    const reason = new Error("gone ".repeat(40)); // a 200-byte reason: ~205-byte frames
    for (let session = 1; session <= RECEIPT_BYTES / 200; session++) a.endSession(session, reason);
    expect(a.unacknowledgedBytes).toBeGreaterThan(RECEIPT_BYTES);
    await settle();
    expect(a.unacknowledgedBytes).toBe(0);
    a.close();
  });

  it("close the connection with a CodecError when a receipt is for more than was sent, or malformed", async () => {
    for (const [receipt, why] of [
      [message({ session: 0, flags: FLAG_RECEIPT, payload: varint(1000) }), /receipt for 1000 bytes came when only 10 were sent/],
      [message({ session: 0, flags: FLAG_RECEIPT, payload: Uint8Array.of(1, 2) }), /Malformed receipt/],
      [message({ session: 0, flags: FLAG_RECEIPT, lane: 1, payload: varint(1) }), /Malformed receipt frame/],
    ] as const) {
      const carrier = new ScriptedCarrier();
      const mux = createSessionMux(carrier);
      const seen = consume(mux);
      mux.send(1, 0, 0, "abc"); // 5 bytes of JSON: a 10-byte frame
      carrier.deliver(receipt);
      expect(seen.error).toBeInstanceOf(CodecError);
      expect(seen.error?.message).toMatch(why);
      expect(mux.closed).toBe(true);
    }
  });

  it("are sent for what was read as a varint on session 0, lane 0, label 0", async () => {
    const carrier = new ScriptedCarrier();
    const mux = createSessionMux(carrier);
    consume(mux);
    const text = `"${"a".repeat(RECEIPT_BYTES)}"`; // a frame of 7 header bytes and RECEIPT_BYTES + 2 of payload
    carrier.deliver(message({ session: 3, lane: 1, label: 2, payload: text }));
    await settle();
    expect(frames(carrier.sent[0] as Uint8Array)).toEqual([{ flags: FLAG_RECEIPT, session: 0, lane: 0, label: 0, payload: new TextDecoder().decode(varint(RECEIPT_BYTES + 9)) }]);
    mux.close();
  });
});
