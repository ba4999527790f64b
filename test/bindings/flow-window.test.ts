import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BindingOptionsError } from "../../bindings/binding-options-error.js";
import { DEFAULT_FLOW_WINDOW_BYTES, FlowWindow, IDLE_SAMPLE_MS, INITIAL_FLOW_WINDOW_BYTES, MIN_FLOW_WINDOW_BYTES, TARGET_QUEUE_DELAY_MS } from "../../bindings/flow-window.js";
import { FLAG_BINARY, FLAG_RECEIPT, FLAG_RECEIPT_WANTED, FLAG_RESET, readFrameHeader } from "../../bindings/frame-header.js";
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

describe("FlowWindow", () => {
  /** A window on a clock the test moves. */
  function windowAt(maxWindowBytes = DEFAULT_FLOW_WINDOW_BYTES) {
    const clock = { ms: 0 };
    return { clock, flow: new FlowWindow(maxWindowBytes, () => clock.ms) };
  }

  it("counts what was sent until receipts take it off", () => {
    const { flow } = windowAt();
    flow.sending(60);
    flow.sending(50);
    expect(flow.unacknowledged).toBe(110);
    flow.receipted(varint(30));
    expect(flow.unacknowledged).toBe(80);
    flow.receipted(varint(80));
    expect(flow.unacknowledged).toBe(0);
  });

  it("asks for a receipt once a quarter of the window is unacknowledged: when none is unanswered, or half a window after the last request", () => {
    const { flow } = windowAt();
    const quarter = INITIAL_FLOW_WINDOW_BYTES / 4;
    const half = INITIAL_FLOW_WINDOW_BYTES / 2;
    expect(flow.sending(100)).toBe(false); // far below the window: no receipt needed
    expect(flow.sending(quarter)).toBe(true);
    expect(flow.sending(100)).toBe(false); // one is unanswered
    expect(flow.sending(half - 200)).toBe(false);
    expect(flow.sending(100)).toBe(true); // half a window since the request
    flow.receipted(varint(flow.unacknowledged));
    expect(flow.sending(10)).toBe(false);
    expect(flow.sending(flow.windowBytes / 4)).toBe(true); // nothing unanswered
  });

  it("asks now and then on a link far below its window, to learn its round trip while it is light", () => {
    const { clock, flow } = windowAt();
    expect(flow.sending(10)).toBe(false);
    clock.ms += IDLE_SAMPLE_MS - 1;
    expect(flow.sending(10)).toBe(false);
    clock.ms += 1;
    expect(flow.sending(10)).toBe(true);
    clock.ms += 5 * IDLE_SAMPLE_MS;
    expect(flow.sending(10)).toBe(false); // one is unanswered
    flow.receipted(varint(30));
    expect(flow.sending(10)).toBe(true);
    expect(flow.sending(10)).toBe(false);
  });

  it("answers with a receipt for everything read only when one was asked for", () => {
    const { flow } = windowAt();
    expect(flow.received(10, false)).toBeUndefined();
    expect(flow.received(5000, false)).toBeUndefined();
    expect(flow.received(1, true)).toEqual(varint(5011));
    expect(flow.received(24, false)).toBeUndefined();
    expect(flow.received(0, true)).toEqual(varint(24));
    expect(flow.received(0, true)).toBeUndefined(); // nothing read since: nothing to receipt
  });

  /** One round trip of `ms`: a quarter of the window sent (asking for a receipt), then receipted. */
  function roundTrip(window: ReturnType<typeof windowAt>, ms: number): void {
    const bytes = window.flow.windowBytes / 4;
    expect(window.flow.sending(bytes)).toBe(true);
    window.clock.ms += ms;
    window.flow.receipted(varint(bytes));
  }

  it("halves the window, once a round trip, when every recent round trip is past the target queueing delay", () => {
    const window = windowAt();
    const { clock, flow } = window;
    const late = 1 + TARGET_QUEUE_DELAY_MS + 1;
    roundTrip(window, 1); // the path's own round trip
    roundTrip(window, late); // one late round trip is noise (a process not scheduled for a moment)
    expect(flow.windowBytes).toBe(INITIAL_FLOW_WINDOW_BYTES);
    for (let round = 0; round < 2; round++) roundTrip(window, late);
    expect(flow.windowBytes).toBe(INITIAL_FLOW_WINDOW_BYTES);
    // The fourth late one in a row: a queue. Two requests in flight; the window halves at the first only.
    const quarter = flow.windowBytes / 4;
    expect(flow.sending(quarter)).toBe(true);
    expect(flow.sending(flow.windowBytes / 2)).toBe(true);
    clock.ms += late;
    flow.receipted(varint(quarter));
    expect(flow.windowBytes).toBe(INITIAL_FLOW_WINDOW_BYTES / 2);
    flow.receipted(varint(INITIAL_FLOW_WINDOW_BYTES / 2)); // sent before the window shrank: no second halving
    expect(flow.windowBytes).toBe(INITIAL_FLOW_WINDOW_BYTES / 2);
    for (let round = 0; round < 20; round++) roundTrip(window, late);
    expect(flow.windowBytes).toBe(MIN_FLOW_WINDOW_BYTES); // never below
  });

  it("grows the window while it is in use and round trips stay short, up to the largest configured", () => {
    const { clock, flow } = windowAt(4 * INITIAL_FLOW_WINDOW_BYTES);
    let last = flow.windowBytes;
    for (let round = 0; round < 30; round++) {
      const bytes = flow.windowBytes; // the window filled
      flow.sending(bytes);
      clock.ms += 1;
      flow.receipted(varint(bytes));
      expect(flow.windowBytes).toBeGreaterThanOrEqual(last);
      last = flow.windowBytes;
    }
    expect(flow.windowBytes).toBe(4 * INITIAL_FLOW_WINDOW_BYTES);
    flow.sending(10); // a window barely used does not grow
    const { flow: idle, clock: idleClock } = windowAt();
    idle.sending(10);
    idleClock.ms += 1;
    idle.receipted(varint(10));
    expect(idle.windowBytes).toBe(INITIAL_FLOW_WINDOW_BYTES);
  });

  it("never leaves a held-back sender without a receipt coming, whatever the frame sizes and round trips", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ send: fc.integer({ min: 0, max: 3 }).map((n) => n > 0), bytes: fc.integer({ min: 1, max: 3000 }), ms: fc.integer({ min: 0, max: 30 }) }), { minLength: 200, maxLength: 400 }),
        (steps) => {
          const { clock, flow } = windowAt();
          /** The sent-byte counts that asked for receipts and have no answer yet (what a reader owes). */
          const requested: number[] = [];
          let sent = 0;
          let receipted = 0;
          for (const step of steps) {
            if (step.send && flow.unacknowledged <= flow.windowBytes) {
              sent += step.bytes;
              if (flow.sending(step.bytes)) requested.push(sent);
            } else if (requested.length > 0) {
              clock.ms += step.ms;
              const upTo = requested.shift()!;
              if (upTo > receipted) flow.receipted(varint(upTo - receipted));
              receipted = Math.max(receipted, upTo);
            }
            // Held back (over the window): some request must be unanswered, or it would wait for ever.
            if (flow.unacknowledged > flow.windowBytes) expect(requested.length).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("refuses receipts for more than was sent, of zero bytes, or not one varint", () => {
    const { flow } = windowAt();
    flow.sending(10);
    expect(() => flow.receipted(varint(11))).toThrow(CodecError);
    expect(() => flow.receipted(varint(11))).toThrow(/receipt for 11 bytes came when only 10 were sent/);
    expect(() => flow.receipted(varint(0))).toThrow(/Malformed receipt/);
    expect(() => flow.receipted(Uint8Array.of(1, 1))).toThrow(/Malformed receipt/);
    expect(() => flow.receipted(Uint8Array.of(0x80))).toThrow(CodecError);
    expect(() => flow.receipted(new Uint8Array(0))).toThrow(CodecError);
    expect(flow.unacknowledged).toBe(10);
  });

  it("refuses a largest window that cannot be a varint or is below the smallest", () => {
    for (const bad of [0, MIN_FLOW_WINDOW_BYTES - 1, 1.5, -1, 2 ** 32, Number.NaN]) expect(() => new FlowWindow(bad)).toThrow(BindingOptionsError);
    expect(new FlowWindow().maxWindowBytes).toBe(DEFAULT_FLOW_WINDOW_BYTES);
    expect(new FlowWindow(MIN_FLOW_WINDOW_BYTES).windowBytes).toBe(MIN_FLOW_WINDOW_BYTES);
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
    const payload = new Uint8Array(994); // frames of 1000 bytes (a 2-byte length varint)
    for (let index = 0; index < 5; index++) a.send(1, 0, 0, payload);
    expect(a.unacknowledgedBytes).toBe(5000);
    await settle();
    expect(a.unacknowledgedBytes).toBe(5000); // nothing read: nothing receipted
    expect(receipts).toBe(0);
    link.faults.resume("aToB");
    await settle();
    expect(reader.frames).toBe(5);
    expect(receipts).toBe(1); // the fifth frame asked (a quarter of the window); the receipt covers the whole message
    expect(a.unacknowledgedBytes).toBe(0);
    a.send(1, 0, 0, new Uint8Array(95)); // far below the window: no receipt asked for
    await settle();
    expect(receipts).toBe(1);
    expect(a.unacknowledgedBytes).toBe(100);
    expect(b.unacknowledgedBytes).toBe(0); // receipts are not counted themselves
    a.close();
  });

  it("are asked for by the frame that brings a quarter of the window in flight, not by every frame after it", () => {
    const carrier = new ScriptedCarrier();
    const mux = createSessionMux(carrier, { compression: false });
    consume(mux);
    for (let index = 0; index < 4; index++) mux.send(1, 0, 0, new Uint8Array(2000));
    mux.endSession(2);
    mux.close();
    expect(frames(carrier.sent[0] as Uint8Array).map((frame) => frame.flags)).toEqual([FLAG_BINARY, FLAG_BINARY, FLAG_BINARY | FLAG_RECEIPT_WANTED, FLAG_BINARY, FLAG_RESET]);
  });

  it("go in the batch the reader sends anyway, not in a carrier message of their own", async () => {
    const link = createMemoryCarrierPair();
    const a = createSessionMux(link.a, { compression: false });
    const b = createSessionMux(link.b, { compression: false });
    consume(a);
    consume(b, () => b.send(2, 0, 0, "answer"));
    a.send(1, 0, 0, new Uint8Array(5000));
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
    const reason = new Error("gone ".repeat(40)); // 200 bytes: frames of about 205
    for (let session = 1; session <= 25; session++) a.endSession(session, reason);
    expect(a.unacknowledgedBytes).toBeGreaterThan(INITIAL_FLOW_WINDOW_BYTES / 4);
    await settle();
    expect(a.unacknowledgedBytes).toBe(0);
    a.close();
  });

  it("close the connection with a CodecError when a receipt is for more than was sent, or malformed", async () => {
    for (const [receipt, why] of [
      [message({ session: 0, flags: FLAG_RECEIPT, payload: varint(1000) }), /receipt for 1000 bytes came when only 10 were sent/],
      [message({ session: 0, flags: FLAG_RECEIPT, payload: Uint8Array.of(1, 2) }), /Malformed receipt/],
      [message({ session: 0, flags: FLAG_RECEIPT, lane: 1, payload: varint(1) }), /Malformed receipt frame/],
      [message({ session: 0, flags: FLAG_RECEIPT | FLAG_RECEIPT_WANTED, payload: varint(1) }), /Malformed receipt frame/],
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

  it("are sent, when asked for, for what was read, as a varint on session 0, lane 0, label 0; and not unasked", async () => {
    const carrier = new ScriptedCarrier();
    const mux = createSessionMux(carrier);
    consume(mux);
    carrier.deliver(message({ session: 3, lane: 1, label: 2, payload: "[1,2,3,4,5,6,7,8]" }));
    await settle();
    expect(carrier.sent).toEqual([]);
    carrier.deliver(message({ session: 3, lane: 1, label: 2, flags: FLAG_RECEIPT_WANTED, payload: "[1,2,3,4,5,6,7,8]" }));
    await settle();
    expect(frames(carrier.sent[0] as Uint8Array)).toEqual([{ flags: FLAG_RECEIPT, session: 0, lane: 0, label: 0, payload: new TextDecoder().decode(varint(44)) }]);
    mux.close();
  });
});
