import { deflateSync } from "fflate";
import { afterEach, describe, expect, it, vi } from "vitest";
import { CodecError, PhaseInvariant, SessionFault, TransportError } from "../../lib/choreography/errors.js";
import type { InboundPayload, SessionMux } from "../../lib/choreography/wire.js";
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

/** Everything a mux handed its consumer, in order. */
interface Recorder {
  /** Messages as [session, lane, label, payload]. */
  readonly received: Array<[number, number, number, unknown]>;
  /** Session ends as [session, error]. */
  readonly ended: Array<[number, Error | undefined]>;
  /** Every call, in order, for checks that span kinds. */
  readonly calls: string[];
  closed: boolean;
  error: Error | undefined;
}

/**
 * Attaches a recording consumer that decodes every payload (a decoding failure escapes, as from the
 * runtime); `receive` runs after recording, with the decoded value (it may throw to refuse the frame).
 */
function record(mux: SessionMux, receive?: (session: number, lane: number, label: number, value: unknown) => void): Recorder {
  const recorder: Recorder = { received: [], ended: [], calls: [], closed: false, error: undefined };
  mux.attach({
    receive: (session, lane, label, payload) => {
      expect(recorder.closed).toBe(false);
      recorder.calls.push(`receive ${session}`);
      const value = payload.decode();
      recorder.received.push([session, lane, label, value]);
      receive?.(session, lane, label, value);
    },
    sessionEnded: (session, error) => {
      expect(recorder.closed).toBe(false);
      recorder.ended.push([session, error]);
      recorder.calls.push(`ended ${session}`);
    },
    closed: (error) => {
      expect(recorder.closed).toBe(false);
      recorder.closed = true;
      recorder.error = error;
      recorder.calls.push("closed");
    },
  });
  return recorder;
}

/** The messages of one session as [lane, label, payload]. */
function of(recorder: Recorder, session: number): Array<[number, number, unknown]> {
  return recorder.received.filter(([id]) => id === session).map(([, lane, label, payload]) => [lane, label, payload]);
}

function pair(options: SessionMuxOptions = {}) {
  const link = createMemoryCarrierPair();
  const a = createSessionMux(link.a, options);
  const b = createSessionMux(link.b, options);
  return { link, a, b };
}

/** A compressed payload of `text` that declares `declared` inflated bytes (truthfully or not). */
function compressed(text: string, declared: number): Uint8Array {
  const stream = deflateSync(new TextEncoder().encode(text), { level: 1 });
  const payload = new Uint8Array(varUintSize(declared) + stream.length);
  payload.set(stream, writeVarUint(payload, 0, declared));
  return payload;
}

function records(count: number): unknown {
  return Array.from({ length: count }, (_, id) => ({ id, name: `record-${id}`, active: id % 2 === 0, score: id * 1.5 }));
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("session mux over a memory carrier", () => {
  it("delivers interleaved sessions and lanes in order", async () => {
    const { a, b } = pair();
    const receiver = record(b);
    const sent: Array<[number, number, number, unknown]> = [];
    for (let step = 0; step < 300; step++) {
      const session = (step * 7) % 5;
      const lane = step % 3;
      const payload = step % 11 === 0 ? records(160) : { step, text: "x".repeat(step % 50) }; // records(160): over the compression threshold
      a.send(session, lane, step, payload);
      sent.push([session, lane, step, payload]);
      if (step % 50 === 0) await settle();
    }
    await settle();
    expect(receiver.received).toEqual(sent);
    expect(receiver.ended).toEqual([]);
    expect(receiver.closed).toBe(false);
    expect(a.stats.compressedFramesOut).toBeGreaterThan(0);
    expect(a.stats.bytesSavedByCompression).toBeGreaterThan(0);
    expect(b.stats.framesIn).toBe(300);
    a.close();
  });

  it("writes the frames sent in one tick as one carrier message", async () => {
    const { link, a, b } = pair();
    const receiver = record(b);
    for (let index = 0; index < 50; index++) a.send(index % 2 ? 0 : 9, 0, index, { index });
    expect(link.faults.counters.aToB.messagesSent).toBe(0);
    expect(a.bufferedAmount).toBeGreaterThan(0);
    await settle();
    expect(link.faults.counters.aToB.messagesSent).toBe(1);
    expect(a.stats.messagesOut).toBe(1);
    expect(a.stats.framesOut).toBe(50);
    expect(a.bufferedAmount).toBe(0);
    expect(of(receiver, 0)).toHaveLength(25);
    expect(of(receiver, 9)).toHaveLength(25);
    a.send(0, 0, 1, null);
    await settle();
    expect(link.faults.counters.aToB.messagesSent).toBe(2);
    a.close();
  });

  it("encodes a frozen payload sent to many links once", async () => {
    const encode = vi.fn(jsonCodec.encode);
    const codec: PayloadCodec = { name: "counting", encode, decode: jsonCodec.decode };
    const cache = new EncodeCache();
    const links = [pair({ codec, encodeCache: cache }), pair({ codec, encodeCache: cache })];
    const receivers = links.map(({ b }) => record(b));
    const payload = Object.freeze(records(100));
    for (const { a } of links) a.send(0, 0, 1, payload);
    await settle();
    expect(encode).toHaveBeenCalledTimes(1);
    for (const receiver of receivers) expect(receiver.received).toEqual([[0, 0, 1, payload]]);
    expect(links.map(({ a }) => a.stats.compressedFramesOut)).toEqual([1, 1]);
    for (const { a } of links) a.close();
  });

  it("encodes afresh for every send without a cache", async () => {
    const encode = vi.fn(jsonCodec.encode);
    const codec: PayloadCodec = { name: "counting", encode, decode: jsonCodec.decode };
    const { a, b } = pair({ codec, encodeCache: false });
    const receiver = record(b);
    const payload = { same: true };
    a.send(0, 0, 1, payload);
    a.send(0, 0, 2, payload);
    await settle();
    expect(encode).toHaveBeenCalledTimes(2);
    expect(receiver.received).toHaveLength(2);
    a.close();
  });

  it("compresses only payloads above the threshold", async () => {
    const { a, b } = pair({ compression: { threshold: 2000 } });
    const receiver = record(b);
    a.send(0, 0, 1, records(10));
    a.send(0, 0, 2, records(100));
    await settle();
    expect(a.stats.compressedFramesOut).toBe(1);
    expect(receiver.received).toEqual([
      [0, 0, 1, records(10)],
      [0, 0, 2, records(100)],
    ]);
    a.close();
  });

  it("holds frames that arrive before attach and hands them over in order on attach", async () => {
    const { a, b } = pair();
    a.send(0, 0, 1, "early");
    a.send(4, 2, 3, "other session");
    a.endSession(4, new Error("gone"));
    a.send(0, 1, 2, "later");
    await settle();
    expect(b.stats.framesIn).toBe(4);
    const receiver = record(b);
    expect(receiver.calls).toEqual(["receive 0", "receive 4", "ended 4", "receive 0"]);
    expect(receiver.received).toEqual([
      [0, 0, 1, "early"],
      [4, 2, 3, "other session"],
      [0, 1, 2, "later"],
    ]);
    expect(receiver.ended[0]?.[1]?.message).toBe("peer closed session 4: gone");
    a.send(0, 0, 4, "after attach");
    await settle();
    expect(of(receiver, 0).at(-1)).toEqual([0, 4, "after attach"]);
    a.close();
  });

  it("hands over the frames that came before the connection ended, then closed, to a late consumer", async () => {
    const { a, b } = pair();
    a.send(0, 0, 1, "last words");
    a.send(3, 0, 1, "and more");
    await settle();
    a.close();
    await settle();
    expect(b.closed).toBe(true);
    const receiver = record(b);
    expect(receiver.calls).toEqual(["receive 0", "receive 3", "closed"]);
  });

  it("tells a late consumer `closed` once when it refuses a held frame", async () => {
    const { a, b } = pair();
    a.send(7, 0, 1, "unknown session");
    a.send(0, 0, 1, "dropped after the violation");
    await settle();
    const receiver = record(b, (session) => {
      if (session === 7) throw new SessionFault("session 7 was never announced");
    });
    expect(receiver.calls).toEqual(["receive 7", "closed"]);
    expect(receiver.error?.message).toBe("session 7 was never announced");
  });

  it("hands frames over one by one, so what the consumer learns from one frame applies to the next", async () => {
    const { a, b } = pair();
    const announced = new Set([0]);
    const receiver = record(b, (session, _lane, _label, payload) => {
      if (!announced.has(session)) throw new SessionFault(`session ${session} was never announced`);
      if (session === 0) announced.add(payload as number);
    });
    a.send(0, 0, 0, 5);
    a.send(5, 1, 2, "hello five");
    await settle();
    expect(b.stats.messagesIn).toBe(1);
    expect(of(receiver, 5)).toEqual([[1, 2, "hello five"]]);
    expect(b.closed).toBe(false);
    a.close();
  });

  it("confines a session's end to that session and tells only the peer", async () => {
    const { a, b } = pair();
    const local = record(a);
    const remote = record(b);
    a.endSession(1, new Error("object went away"));
    a.send(2, 0, 0, "still here");
    await settle();
    expect(local.ended).toEqual([]);
    expect(remote.ended).toHaveLength(1);
    const [session, error] = remote.ended[0] ?? [];
    expect(session).toBe(1);
    expect(error).toBeInstanceOf(SessionFault);
    expect(error?.message).toBe("peer closed session 1: object went away");
    expect(remote.received).toEqual([[2, 0, 0, "still here"]]);
    expect(a.closed || b.closed).toBe(false);
    a.close();
  });

  it("ends the peer's session cleanly on a clean end", async () => {
    const { a, b } = pair();
    const remote = record(b);
    a.endSession(3);
    await settle();
    expect(remote.ended).toEqual([[3, undefined]]);
    a.close();
  });

  it("keeps nothing per session: frames of an ended or unseen session still reach the consumer", async () => {
    const { a, b } = pair();
    const local = record(a);
    const remote = record(b);
    a.endSession(1, new Error("done here"));
    b.send(1, 0, 0, "in flight");
    a.send(1, 0, 1, "after the end");
    a.send(123_456, 0, 0, "never mentioned");
    await settle();
    expect(local.received).toEqual([[1, 0, 0, "in flight"]]);
    expect(remote.received).toEqual([
      [1, 0, 1, "after the end"],
      [123_456, 0, 0, "never mentioned"],
    ]);
    expect(a.closed || b.closed).toBe(false);
    a.close();
  });

  it("accepts one consumer only", () => {
    const { a } = pair();
    const first = record(a);
    expect(() => a.attach({ receive: () => {}, sessionEnded: () => {}, closed: () => {} })).toThrow(PhaseInvariant);
    a.close();
    expect(first.closed).toBe(true);
  });

  it("refuses to send payloads over maxFrameBytes and invalid ids", async () => {
    const { a, b } = pair({ limits: { maxFrameBytes: 100 }, compression: false });
    const receiver = record(b);
    expect(() => a.send(0, 0, 0, "x".repeat(200))).toThrow(CodecError);
    expect(() => a.send(-1, 0, 0, 1)).toThrow(RangeError);
    expect(() => a.send(0, 1.5, 0, 1)).toThrow(RangeError);
    expect(() => a.send(0, 0, 2 ** 32, 1)).toThrow(RangeError);
    expect(() => a.send(0, 0, 0, { n: 1n })).toThrow(CodecError);
    expect(a.stats.framesOut).toBe(0);
    a.send(0, 0, 0, "fits");
    await settle();
    expect(receiver.received).toEqual([[0, 0, 0, "fits"]]);
    a.close();
  });

  it("cuts a long reset reason before sending it", async () => {
    const { a, b } = pair();
    const remote = record(b);
    a.endSession(8, new Error("y".repeat(1000)));
    await settle();
    expect(remote.ended[0]?.[1]?.message).toBe(`peer closed session 8: ${"y".repeat(200)}…`);
    a.close();
  });

  it("closes the connection with a TransportError when the carrier is cut", async () => {
    const { link, a, b } = pair();
    const local = record(a);
    const remote = record(b);
    let muxError: Error | undefined;
    a.onClose((error) => {
      muxError = error;
    });
    link.faults.cut("cable pulled");
    await settle();
    for (const side of [local, remote]) {
      expect(side.error).toBeInstanceOf(TransportError);
      expect(side.error?.message).toMatch(/cable pulled/);
      expect(side.ended).toEqual([]);
    }
    expect(muxError).toBe(local.error);
    expect(a.closed && b.closed).toBe(true);
    expect(() => a.send(3, 0, 0, 1)).toThrow(TransportError);
    expect(() => a.endSession(3, new Error("late"))).not.toThrow();
    expect(a.stats.framesOut).toBe(0);
    let late: Error | undefined;
    a.onClose((error) => {
      late = error;
    });
    expect(late).toBe(muxError);
  });

  it("flushes queued frames before closing, and the peer sees the close", async () => {
    const { a, b } = pair();
    const remote = record(b);
    const local = record(a);
    a.send(0, 0, 9, "bye");
    a.close();
    a.close();
    expect(local.closed).toBe(true);
    expect(local.error).toBeUndefined();
    await settle();
    expect(remote.received).toEqual([[0, 0, 9, "bye"]]);
    expect(remote.error).toBeInstanceOf(TransportError);
    expect(b.closed).toBe(true);
  });

  it("closes the connection with the ChoreographyError a consumer's receive throws, and the peer sees it", async () => {
    const { a, b } = pair();
    const refusal = new SessionFault("session 1 was never announced");
    const remote = record(b, (session) => {
      if (session === 1) throw refusal;
    });
    const local = record(a);
    a.send(0, 0, 0, "fine");
    a.send(1, 0, 0, "refused");
    a.send(2, 0, 0, "never read");
    await settle();
    expect(remote.received.map(([session]) => session)).toEqual([0, 1]);
    expect(remote.error).toBe(refusal);
    expect(b.closed).toBe(true);
    expect(local.error).toBeInstanceOf(TransportError);
    expect(local.error?.message).toMatch(/protocol violation: session 1 was never announced/);
  });

  it("closes the connection when a consumer's sessionEnded throws", async () => {
    const { a, b } = pair();
    const refusal = new SessionFault("consumer broke");
    let closedWith: Error | undefined;
    b.attach({
      receive: () => {},
      sessionEnded: () => {
        throw refusal;
      },
      closed: (error) => {
        closedWith = error;
      },
    });
    a.endSession(1);
    await settle();
    expect(closedWith).toBe(refusal);
    expect(a.closed && b.closed).toBe(true);
  });
});

describe("session mux against a raw peer", () => {
  function setup(options: SessionMuxOptions = {}) {
    const carrier = new ScriptedCarrier();
    const mux = createSessionMux(carrier, options);
    return { carrier, mux };
  }

  it("stops reading and closes the connection when the consumer refuses a frame", () => {
    const { carrier, mux } = setup();
    const refused = new SessionFault("the peer sent a frame for session 7, which was never announced");
    const consumer = record(mux, (session) => {
      if (session === 7) throw refused;
    });
    let muxError: Error | undefined;
    mux.onClose((error) => {
      muxError = error;
    });
    carrier.deliver(message({ session: 0, payload: "1" }, { session: 7, payload: "2" }, { session: 1, payload: "3" }));
    carrier.deliver(message({ session: 0, payload: "4" }));
    expect(consumer.received).toEqual([
      [0, 0, 0, 1],
      [7, 0, 0, 2],
    ]);
    expect(consumer.error).toBe(refused);
    expect(muxError).toBe(refused);
    expect(mux.stats.framesIn).toBe(2);
    expect(carrier.closeReason).toMatch(/^protocol violation: .*session 7/);
  });

  it("wraps anything else a consumer throws in a CodecError that keeps it as the cause", () => {
    const { carrier, mux } = setup();
    const bug = new TypeError("consumer bug");
    const consumer = record(mux, () => {
      throw bug;
    });
    carrier.deliver(message({ session: 0, payload: "1" }));
    expect(consumer.error).toBeInstanceOf(CodecError);
    expect(consumer.error?.cause).toBe(bug);
    expect(carrier.state).toBe("closed");
  });

  it("closes the connection on a malformed batch", () => {
    const { carrier, mux } = setup();
    const consumer = record(mux);
    carrier.deliver(Uint8Array.of(0x80, 0, 0, 0, 0));
    expect(consumer.error).toBeInstanceOf(CodecError);
    expect(mux.closed).toBe(true);
    expect(carrier.closeReason).toMatch(/unknown flag bits/);
  });

  it("closes the connection at a payload that cannot be decoded, and reads nothing after it", async () => {
    const { carrier, mux } = setup();
    const consumer = record(mux);
    carrier.deliver(message({ session: 2, payload: '"fine"' }, { session: 1, payload: "{not json" }, { session: 2, payload: '"never read"' }));
    carrier.deliver(message({ session: 2, payload: '"nor this"' }));
    expect(consumer.calls).toEqual(["receive 2", "receive 1", "closed"]);
    expect(consumer.received).toEqual([[2, 0, 0, "fine"]]);
    expect(consumer.error).toBeInstanceOf(CodecError);
    expect(consumer.error?.message).toMatch(/^Frame on session 1: .*UTF-8 JSON/);
    expect(mux.stats.framesIn).toBe(2);
    expect(carrier.closeReason).toMatch(/^protocol violation: Frame on session 1: /);
    await settle();
    expect(carrier.sent).toHaveLength(0); // no reset: the whole connection ends
  });

  it("hands payloads over undecoded: frames the consumer does not take cost no inflating or parsing", () => {
    const decode = vi.fn(jsonCodec.decode);
    const { carrier, mux } = setup({ codec: { name: "counting", encode: jsonCodec.encode, decode } });
    const taken: unknown[] = [];
    mux.attach({
      receive: (session, _lane, _label, payload) => {
        if (session === 1) taken.push(payload.decode());
      },
      sessionEnded: () => {},
      closed: () => {},
    });
    const bomb = compressed(`"${"a".repeat(1_000_000)}"`, 1000);
    carrier.deliver(message({ session: 5, payload: "{not json" }, { session: 5, flags: FLAG_COMPRESSED, payload: bomb }, { session: 1, payload: "[1]" }));
    expect(taken).toEqual([[1]]);
    expect(decode).toHaveBeenCalledTimes(1);
    expect(mux.closed).toBe(false);
    mux.close();
  });

  it("keeps no message once it was read: a payload handed over is valid during that call only", () => {
    const { carrier, mux } = setup();
    const kept: InboundPayload[] = [];
    mux.attach({
      receive: (_session, _lane, _label, payload) => {
        expect(payload.decode()).toBe("during");
        kept.push(payload);
      },
      sessionEnded: () => {},
      closed: () => {},
    });
    carrier.deliver(message({ session: 1, payload: '"during"' }));
    expect(kept).toHaveLength(1);
    expect(kept[0]?.decode()).toBeUndefined();
    mux.close();
  });

  it("closes the connection at an inflate bomb, which is refused at its declared size", () => {
    const { carrier, mux } = setup({ limits: { maxInflatedBytes: 64 * 1024 } });
    const consumer = record(mux);
    carrier.deliver(message({ session: 1, flags: FLAG_COMPRESSED, payload: compressed(`"${"a".repeat(10_000_000)}"`, 1000) }, { session: 2, payload: "2" }));
    expect(consumer.calls).toEqual(["receive 1", "closed"]);
    expect(consumer.error).toBeInstanceOf(CodecError);
    expect(consumer.error?.message).toMatch(/Frame on session 1: Compressed payload inflates to more than its declared 1000 bytes/);
    expect(mux.closed).toBe(true);
  });

  it("closes the connection at a frame over maxFrameBytes without handing it over, and at a message over maxMessageBytes", () => {
    const first = setup({ limits: { maxFrameBytes: 10, maxMessageBytes: 100 } });
    const consumer = record(first.mux);
    first.carrier.deliver(message({ session: 1, payload: "1" }, { session: 1, payload: `"${"x".repeat(20)}"` }, { session: 1, payload: "2" }));
    expect(consumer.calls).toEqual(["receive 1", "closed"]);
    expect(consumer.error).toBeInstanceOf(CodecError);
    expect(consumer.error?.message).toMatch(/A frame of 22 bytes on session 1 exceeds maxFrameBytes \(10\)/);
    const second = setup({ limits: { maxFrameBytes: 10, maxMessageBytes: 100 } });
    const other = record(second.mux);
    second.carrier.deliver(new Uint8Array(101));
    expect(other.error).toBeInstanceOf(CodecError);
    expect(other.error?.message).toMatch(/exceeds maxMessageBytes \(100\)/);
    expect(second.mux.closed).toBe(true);
  });

  it("closes the connection at a reset whose reason is longer than any sender writes", () => {
    const { carrier, mux } = setup();
    const consumer = record(mux);
    carrier.deliver(message({ session: 4, flags: FLAG_RESET, payload: "r".repeat(800) }, { session: 5, flags: FLAG_RESET, payload: "r".repeat(801) }));
    expect(consumer.calls).toEqual(["ended 4", "closed"]);
    expect(consumer.error?.message).toMatch(/The reset of session 5 carries a 801-byte reason; a reason takes at most 800 bytes/);
  });

  it("reports a peer's reset for any session id with its reason, without answering it", async () => {
    const { carrier, mux } = setup();
    const consumer = record(mux);
    carrier.deliver(message({ session: 99, flags: FLAG_RESET, payload: "never announced" }));
    carrier.deliver(message({ session: 1, flags: FLAG_RESET }, { session: 1, flags: FLAG_RESET, payload: "gone" }));
    expect(consumer.ended.map(([session, error]) => [session, error?.message])).toEqual([
      [99, "peer closed session 99: never announced"],
      [1, undefined],
      [1, "peer closed session 1: gone"],
    ]);
    expect(consumer.ended[0]?.[1]).toBeInstanceOf(SessionFault);
    await settle();
    expect(carrier.sent).toHaveLength(0);
    expect(mux.closed).toBe(false);
    mux.close();
  });

  it("holds frames undecoded until the consumer attaches, then closes at the first it cannot decode", async () => {
    const { carrier, mux } = setup();
    carrier.deliver(message({ session: 0, payload: "1" }, { session: 3, payload: "{not json" }, { session: 0, payload: "2" }));
    await settle();
    expect(mux.closed).toBe(false);
    const consumer = record(mux);
    expect(consumer.calls).toEqual(["receive 0", "receive 3", "closed"]);
    expect(consumer.error).toBeInstanceOf(CodecError);
    expect(carrier.sent).toHaveLength(0);
  });

  it("tells a consumer that attaches after the connection ended", () => {
    const { carrier, mux } = setup();
    carrier.closeByPeer("gone early");
    const consumer = record(mux);
    expect(consumer.error).toBeInstanceOf(TransportError);
    expect(consumer.error?.message).toMatch(/gone early/);
  });

  it("closes with a TransportError carrying the carrier's failure", () => {
    const { carrier, mux } = setup();
    const consumer = record(mux);
    const cause = new Error("ECONNRESET");
    carrier.closeByPeer("connection reset", cause);
    expect(consumer.error).toBeInstanceOf(TransportError);
    expect(consumer.error?.cause).toBe(cause);
  });

  it("counts traffic and reports buffered bytes", async () => {
    const { carrier, mux } = setup();
    record(mux);
    mux.send(0, 1, 2, "abc");
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
