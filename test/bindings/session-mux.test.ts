import { deflateSync } from "fflate";
import { afterEach, describe, expect, it, vi } from "vitest";
import { CodecError, PhaseInvariant, SessionFault, TransportError } from "../../lib/choreography/errors.js";
import type { SessionWire } from "../../lib/choreography/wire.js";
import { createMemoryCarrierPair } from "../../transports/memory-carrier.js";
import { EncodeCache } from "../../bindings/encode-cache.js";
import { FLAG_COMPRESSED, FLAG_RESET } from "../../bindings/frame-header.js";
import { jsonCodec } from "../../bindings/json-codec.js";
import type { PayloadCodec } from "../../bindings/payload-codec.js";
import { type SessionMuxOptions, createSessionMux } from "../../bindings/session-mux.js";
import { varUintSize, writeVarUint } from "../../bindings/varint.js";
import { ScriptedCarrier } from "./scripted-carrier.js";
import { frames, message } from "./frames.js";

/** Lets microtask-driven delivery (batch flush, memory link) run to completion. */
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

interface Recorder {
  readonly received: Array<[number, number, unknown]>;
  closed: boolean;
  error: Error | undefined;
}

function record(wire: SessionWire): Recorder {
  const recorder: Recorder = { received: [], closed: false, error: undefined };
  wire.attach({
    receive: (lane, label, payload) => recorder.received.push([lane, label, payload]),
    close: (error) => {
      expect(recorder.closed).toBe(false);
      recorder.closed = true;
      recorder.error = error;
    },
  });
  return recorder;
}

function pair(options: SessionMuxOptions = {}) {
  const link = createMemoryCarrierPair();
  const a = createSessionMux(link.a, options);
  const b = createSessionMux(link.b, options);
  return { link, a, b };
}

function records(count: number): unknown {
  return Array.from({ length: count }, (_, id) => ({ id, name: `record-${id}`, active: id % 2 === 0, score: id * 1.5 }));
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("session mux over a memory carrier", () => {
  it("delivers interleaved sessions and lanes in order per session", async () => {
    const { a, b } = pair();
    const sent = new Map<number, Array<[number, number, unknown]>>();
    const senders = [a.open(0), ...[1, 2, 3, 4].map((id) => a.open(id))];
    const receivers = [b.open(0), ...[1, 2, 3, 4].map((id) => b.open(id))].map(record);
    for (let step = 0; step < 300; step++) {
      const session = (step * 7) % 5;
      const lane = step % 3;
      const payload = step % 11 === 0 ? records(40) : { step, text: "x".repeat(step % 50) };
      (senders[session] as SessionWire).send(lane, step, payload);
      sent.set(session, [...(sent.get(session) ?? []), [lane, step, payload]]);
      if (step % 50 === 0) await settle();
    }
    await settle();
    receivers.forEach((receiver, session) => {
      expect(receiver.received).toEqual(sent.get(session));
      expect(receiver.closed).toBe(false);
    });
    expect(a.stats.compressedFramesOut).toBeGreaterThan(0);
    expect(a.stats.bytesSavedByCompression).toBeGreaterThan(0);
    expect(b.stats.framesIn).toBe(300);
    a.close();
  });

  it("writes the frames sent in one tick as one carrier message", async () => {
    const { link, a, b } = pair();
    const wire = a.open(0);
    const other = a.open(9);
    const receiver = record(b.open(0));
    record(b.open(9));
    for (let index = 0; index < 50; index++) (index % 2 ? wire : other).send(0, index, { index });
    expect(link.faults.counters.aToB.messagesSent).toBe(0);
    expect(a.bufferedAmount).toBeGreaterThan(0);
    await settle();
    expect(link.faults.counters.aToB.messagesSent).toBe(1);
    expect(a.stats.messagesOut).toBe(1);
    expect(a.stats.framesOut).toBe(50);
    expect(a.bufferedAmount).toBe(0);
    expect(receiver.received).toHaveLength(25);
    wire.send(0, 1, null);
    await settle();
    expect(link.faults.counters.aToB.messagesSent).toBe(2);
    a.close();
  });

  it("encodes a frozen payload sent to many links once", async () => {
    const encode = vi.fn(jsonCodec.encode);
    const codec: PayloadCodec = { name: "counting", encode, decode: jsonCodec.decode };
    const cache = new EncodeCache();
    const links = [pair({ codec, encodeCache: cache }), pair({ codec, encodeCache: cache })];
    const receivers = links.map(({ b }) => record(b.open(0)));
    const payload = Object.freeze(records(100));
    for (const { a } of links) a.open(0).send(0, 1, payload);
    await settle();
    expect(encode).toHaveBeenCalledTimes(1);
    for (const receiver of receivers) expect(receiver.received).toEqual([[0, 1, payload]]);
    expect(links.map(({ a }) => a.stats.compressedFramesOut)).toEqual([1, 1]);
    for (const { a } of links) a.close();
  });

  it("encodes afresh for every send without a cache", async () => {
    const encode = vi.fn(jsonCodec.encode);
    const codec: PayloadCodec = { name: "counting", encode, decode: jsonCodec.decode };
    const { a, b } = pair({ codec, encodeCache: false });
    const receiver = record(b.open(0));
    const wire = a.open(0);
    const payload = { same: true };
    wire.send(0, 1, payload);
    wire.send(0, 2, payload);
    await settle();
    expect(encode).toHaveBeenCalledTimes(2);
    expect(receiver.received).toHaveLength(2);
    a.close();
  });

  it("compresses only payloads above the threshold", async () => {
    const { a, b } = pair({ compression: { threshold: 2000 } });
    const receiver = record(b.open(0));
    const wire = a.open(0);
    wire.send(0, 1, records(10));
    wire.send(0, 2, records(100));
    await settle();
    expect(a.stats.compressedFramesOut).toBe(1);
    expect(receiver.received).toEqual([
      [0, 1, records(10)],
      [0, 2, records(100)],
    ]);
    a.close();
  });

  it("holds session 0's messages until it is opened and attached", async () => {
    const link = createMemoryCarrierPair();
    const a = createSessionMux(link.a);
    a.open(0).send(0, 1, "early");
    const b = createSessionMux(link.b);
    await settle();
    const wire = b.open(0);
    await settle();
    const receiver = record(wire);
    expect(receiver.received).toEqual([[0, 1, "early"]]);
    a.close();
  });

  it("delivers the frame after an announcement to the session the announcement opened", async () => {
    const { a, b } = pair();
    const opened: Recorder[] = [];
    b.open(0).attach({
      receive: (_lane, _label, payload) => opened.push(record(b.open(payload as number))),
      close: () => {},
    });
    const control = a.open(0);
    const first = a.open(5);
    control.send(0, 0, 5);
    first.send(1, 2, "hello five");
    await settle();
    expect(opened).toHaveLength(1);
    expect(opened[0]?.received).toEqual([[1, 2, "hello five"]]);
    a.close();
  });

  it("confines a session reset to its session", async () => {
    const { a, b } = pair();
    const [a1, a2] = [a.open(1), a.open(2)];
    const [b1, b2] = [record(b.open(1)), record(b.open(2))];
    const a1Closed = record(a1);
    a1.close(new Error("object went away"));
    expect(a1Closed.closed).toBe(true);
    expect(() => a1.send(0, 0, 1)).toThrow(SessionFault);
    a2.send(0, 0, "still here");
    await settle();
    expect(b1.error).toBeInstanceOf(SessionFault);
    expect(b1.error?.message).toBe("peer closed session 1: object went away");
    expect(b2.closed).toBe(false);
    expect(b2.received).toEqual([[0, 0, "still here"]]);
    expect(a.closed || b.closed).toBe(false);
    a.close();
  });

  it("ends the peer's session cleanly on a clean close", async () => {
    const { a, b } = pair();
    const remote = record(b.open(3));
    a.open(3).close();
    await settle();
    expect(remote.closed).toBe(true);
    expect(remote.error).toBeUndefined();
    a.close();
  });

  it("drops frames that arrive for a session after it was closed here", async () => {
    const { a, b } = pair();
    const a1 = a.open(1);
    const b1 = b.open(1);
    const b2 = record(b.open(2));
    const a2 = a.open(2);
    record(a1);
    a1.close(new Error("done here"));
    b1.send(0, 0, "in flight");
    a2.send(0, 0, "after");
    await settle();
    expect(a.closed).toBe(false);
    expect(b.closed).toBe(false);
    expect(b2.received).toEqual([[0, 0, "after"]]);
    a.close();
  });

  it("refuses opening a session twice or reusing an id", () => {
    const { a } = pair();
    a.open(0);
    expect(() => a.open(0)).toThrow(PhaseInvariant);
    const wire = a.open(4);
    expect(() => a.open(4)).toThrow(/already open or was used before/);
    wire.close();
    expect(() => a.open(4)).toThrow(PhaseInvariant);
    expect(() => a.open(-1)).toThrow(RangeError);
    expect(() => wire.attach({ receive: () => {}, close: () => {} })).not.toThrow();
    expect(() => wire.attach({ receive: () => {}, close: () => {} })).toThrow(PhaseInvariant);
    a.close();
  });

  it("refuses to send payloads over maxFrameBytes and invalid lanes", () => {
    const { a } = pair({ limits: { maxFrameBytes: 100 }, compression: false });
    const wire = a.open(0);
    expect(() => wire.send(0, 0, "x".repeat(200))).toThrow(CodecError);
    expect(() => wire.send(-1, 0, 1)).toThrow(RangeError);
    expect(() => wire.send(0, 0, { n: 1n })).toThrow(CodecError);
    wire.send(0, 0, "fits");
    a.close();
  });

  it("closes every session with a TransportError when the carrier is cut", async () => {
    const { link, a, b } = pair();
    const sessions = [record(a.open(0)), record(a.open(1)), record(a.open(2))];
    const wire = a.open(3);
    let muxError: Error | undefined;
    a.onClose((error) => {
      muxError = error;
    });
    link.faults.cut("cable pulled");
    await settle();
    for (const session of sessions) {
      expect(session.error).toBeInstanceOf(TransportError);
      expect(session.error?.message).toMatch(/cable pulled/);
    }
    expect(muxError).toBeInstanceOf(TransportError);
    expect(a.closed && b.closed).toBe(true);
    expect(() => wire.send(0, 0, 1)).toThrow(TransportError);
    expect(() => a.open(7)).toThrow(TransportError);
    let late: Error | undefined;
    a.onClose((error) => {
      late = error;
    });
    expect(late).toBe(muxError);
  });

  it("flushes queued frames before closing, and the peer sees the close", async () => {
    const { a, b } = pair();
    const remote = record(b.open(0));
    const local = record(a.open(1));
    a.open(0).send(0, 9, "bye");
    a.close();
    expect(local.closed).toBe(true);
    expect(local.error).toBeUndefined();
    await settle();
    expect(remote.received).toEqual([[0, 9, "bye"]]);
    expect(remote.error).toBeInstanceOf(TransportError);
    expect(b.closed).toBe(true);
  });

  it("ends a session whose consumer throws, and tells the peer", async () => {
    const { a, b } = pair();
    const failure = new Error("consumer broke");
    let closedWith: Error | undefined;
    b.open(1).attach({
      receive: () => {
        throw failure;
      },
      close: (error) => {
        closedWith = error;
      },
    });
    const other = record(b.open(2));
    const a1 = a.open(1);
    const remote = record(a1);
    const a2 = a.open(2);
    a1.send(0, 0, "boom");
    a2.send(0, 0, "fine");
    await settle();
    expect(closedWith).toBe(failure);
    expect(other.received).toEqual([[0, 0, "fine"]]);
    expect(remote.error).toBeInstanceOf(SessionFault);
    expect(remote.error?.message).toBe("peer closed session 1: consumer broke");
    expect(a.closed || b.closed).toBe(false);
    b.close();
  });
});

describe("session mux against a raw peer", () => {
  function setup(options: SessionMuxOptions = {}) {
    const carrier = new ScriptedCarrier();
    const mux = createSessionMux(carrier, options);
    return { carrier, mux };
  }

  it("closes the connection when a frame names a session never opened", () => {
    const { carrier, mux } = setup();
    const sessions = [record(mux.open(0)), record(mux.open(1))];
    let muxError: Error | undefined;
    mux.onClose((error) => {
      muxError = error;
    });
    carrier.deliver(message({ session: 0, payload: "1" }, { session: 7, payload: "2" }, { session: 1, payload: "3" }));
    expect(sessions[0]?.received).toEqual([[0, 0, 1]]);
    expect(sessions[1]?.received).toEqual([]);
    for (const session of sessions) {
      expect(session.error).toBeInstanceOf(SessionFault);
      expect(session.error?.message).toMatch(/session 7, which was never opened/);
    }
    expect(muxError).toBe(sessions[0]?.error);
    expect(carrier.closeReason).toMatch(/^protocol violation: .*session 7/);
  });

  it("closes the connection on a malformed batch", () => {
    const { carrier, mux } = setup();
    const session = record(mux.open(0));
    carrier.deliver(Uint8Array.of(0x80, 0, 0, 0, 0));
    expect(session.error).toBeInstanceOf(CodecError);
    expect(mux.closed).toBe(true);
    expect(carrier.closeReason).toMatch(/unknown flag bits/);
  });

  it("closes only the session with an undecodable payload, resetting it at the peer", async () => {
    const { carrier, mux } = setup();
    const bad = record(mux.open(1));
    const good = record(mux.open(2));
    carrier.deliver(message({ session: 1, payload: "{not json" }, { session: 2, payload: '"fine"' }, { session: 1, payload: "1" }));
    expect(bad.error).toBeInstanceOf(CodecError);
    expect(bad.received).toEqual([]);
    expect(good.received).toEqual([[0, 0, "fine"]]);
    expect(mux.closed).toBe(false);
    await settle();
    const reset = carrier.sent.flatMap(frames);
    expect(reset).toHaveLength(1);
    expect(reset[0]).toMatchObject({ flags: FLAG_RESET, session: 1 });
    expect(reset[0]?.payload).toMatch(/UTF-8 JSON/);
    mux.close();
  });

  it("refuses an inflate bomb in one session with a CodecError", () => {
    const { carrier, mux } = setup({ limits: { maxInflatedBytes: 64 * 1024 } });
    const bombed = record(mux.open(1));
    const good = record(mux.open(2));
    const stream = deflateSync(new TextEncoder().encode(`"${"a".repeat(10_000_000)}"`), { level: 1 });
    const bomb = new Uint8Array(varUintSize(1000) + stream.length);
    bomb.set(stream, writeVarUint(bomb, 0, 1000));
    carrier.deliver(message({ session: 1, flags: FLAG_COMPRESSED, payload: bomb }, { session: 2, payload: "2" }));
    expect(bombed.error).toBeInstanceOf(CodecError);
    expect(bombed.error?.message).toMatch(/inflates to more than its declared 1000 bytes/);
    expect(good.received).toEqual([[0, 0, 2]]);
    mux.close();
  });

  it("refuses a frame over maxFrameBytes in its session and a message over maxMessageBytes on the connection", () => {
    const { carrier, mux } = setup({ limits: { maxFrameBytes: 10, maxMessageBytes: 100 } });
    const session = record(mux.open(1));
    const other = record(mux.open(2));
    carrier.deliver(message({ session: 1, payload: `"${"x".repeat(20)}"` }));
    expect(session.error?.message).toMatch(/exceeds maxFrameBytes \(10\)/);
    expect(other.closed).toBe(false);
    carrier.deliver(new Uint8Array(101));
    expect(other.error?.message).toMatch(/exceeds maxMessageBytes \(100\)/);
    expect(mux.closed).toBe(true);
  });

  it("ignores resets for sessions it never opened and reports the peer's reason", () => {
    const { carrier, mux } = setup();
    const session = record(mux.open(1));
    carrier.deliver(message({ session: 99, flags: FLAG_RESET, payload: "never announced" }));
    expect(mux.closed).toBe(false);
    carrier.deliver(message({ session: 1, flags: FLAG_RESET, payload: "gone" }));
    expect(session.error?.message).toBe("peer closed session 1: gone");
    expect(carrier.sent).toHaveLength(0);
    mux.close();
  });

  it("closes with a TransportError carrying the carrier's failure", () => {
    const { carrier, mux } = setup();
    const session = record(mux.open(0));
    const cause = new Error("ECONNRESET");
    carrier.closeByPeer("connection reset", cause);
    expect(session.error).toBeInstanceOf(TransportError);
    expect(session.error?.cause).toBe(cause);
  });

  it("counts traffic and reports buffered bytes", async () => {
    const { carrier, mux } = setup();
    const wire = mux.open(0);
    record(wire);
    wire.send(1, 2, "abc");
    expect(mux.bufferedAmount).toBe(10);
    carrier.bufferedAmount = 5;
    await settle();
    expect(mux.bufferedAmount).toBe(5);
    expect(frames(carrier.sent[0] as Uint8Array)).toEqual([{ flags: 0, session: 0, lane: 1, label: 2, payload: '"abc"' }]);
    carrier.deliver(message({ session: 0, payload: "1" }, { session: 0, payload: "2" }));
    expect(mux.stats).toMatchObject({ messagesOut: 1, framesOut: 1, bytesOut: 10, messagesIn: 1, framesIn: 2 });
    mux.close();
  });
});
