import { deflateSync } from "fflate";
import { describe, expect, it, vi } from "vitest";
import * as compression from "../../bindings/compression.js";
import { EncodeCache } from "../../bindings/encode-cache.js";
import { FLAG_BINARY, FLAG_COMPRESSED, FLAG_RECEIPT_WANTED } from "../../bindings/frame-header.js";
import { type SessionMuxOptions, createSessionMux } from "../../bindings/session-mux.js";
import { varUintSize, writeVarUint } from "../../bindings/varint.js";
import { CodecError } from "../../lib/choreography/errors.js";
import type { SessionMux } from "../../lib/choreography/wire.js";
import { createMemoryCarrierPair } from "../../transports/memory-carrier.js";
import { frames, message } from "./frames.js";
import { ScriptedCarrier } from "./scripted-carrier.js";

/** Lets microtask-driven delivery (batch flush, memory link) run to completion. */
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** Bytes that deflate well: a repeated 16-byte pattern. */
function repetitive(length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, index) => (index % 16) * 7);
}

/** The deflated payload form of `raw`, declaring `declared` inflated bytes (truthfully or not). */
function deflated(raw: Uint8Array, declared = raw.length): Uint8Array {
  const stream = deflateSync(raw, { level: 1 });
  const payload = new Uint8Array(varUintSize(declared) + stream.length);
  payload.set(stream, writeVarUint(payload, 0, declared));
  return payload;
}

interface Consumer {
  readonly values: unknown[];
  error: Error | undefined;
  closed: boolean;
}

/** Attaches a consumer that decodes and keeps every payload. */
function consume(mux: SessionMux): Consumer {
  const consumer: Consumer = { values: [], error: undefined, closed: false };
  mux.attach({
    receive: (_session, _lane, _label, payload) => void consumer.values.push(payload.decode()),
    sessionEnded: () => {},
    closed: (error) => {
      consumer.closed = true;
      consumer.error = error;
    },
  });
  return consumer;
}

/** A mux whose carrier records what it sends and takes messages from the test. */
function scripted(options: SessionMuxOptions = {}) {
  const carrier = new ScriptedCarrier();
  const mux = createSessionMux(carrier, options);
  return { carrier, mux, consumer: consume(mux) };
}

describe("binary payloads", () => {
  it("go on the wire as they are, flagged binary, and come back as the same bytes", async () => {
    const link = createMemoryCarrierPair();
    const a = createSessionMux(link.a);
    const b = createSessionMux(link.b);
    const receiver = consume(b);
    const bytes = Uint8Array.of(0, 1, 2, 250, 255);
    a.send(3, 1, 7, bytes);
    a.send(3, 1, 8, new Uint8Array(0));
    a.send(3, 1, 9, "text");
    await settle();
    expect(receiver.values).toEqual([bytes, new Uint8Array(0), "text"]);
    expect(receiver.values[0]).toBeInstanceOf(Uint8Array);
    expect(a.stats.compressedFramesOut).toBe(0);
    a.close();

    const { carrier, mux } = scripted();
    mux.send(3, 1, 7, bytes);
    mux.send(3, 1, 9, "text");
    await settle();
    const [binary, json] = frames(carrier.sent[0] as Uint8Array);
    expect(binary).toMatchObject({ flags: FLAG_BINARY, session: 3, lane: 1, label: 7, payload: new TextDecoder().decode(bytes) });
    expect(json).toMatchObject({ flags: 0, payload: '"text"' });
    mux.close();
  });

  it("hands over bytes of their own, which stay as they were after the carrier's message changes", () => {
    const { carrier, consumer } = scripted();
    const inbound = message({ session: 1, flags: FLAG_BINARY, payload: Uint8Array.of(1, 2, 3) });
    carrier.deliver(inbound);
    inbound.fill(0);
    expect(consumer.values).toEqual([Uint8Array.of(1, 2, 3)]);
  });

  it("are not given to the codec: a binary frame of JSON text is bytes, and bytes that are no JSON are fine", () => {
    const { carrier, consumer } = scripted();
    carrier.deliver(message({ session: 1, flags: FLAG_BINARY, payload: '{"a":1}' }, { session: 1, flags: FLAG_BINARY, payload: "{not json" }));
    expect(consumer.values).toEqual([new TextEncoder().encode('{"a":1}'), new TextEncoder().encode("{not json")]);
    expect(consumer.closed).toBe(false);
  });

  it("are deflated when that pays, flagged binary and compressed, and inflate back to the same bytes", async () => {
    const link = createMemoryCarrierPair();
    const a = createSessionMux(link.a, { compression: { threshold: 100 } });
    const b = createSessionMux(link.b);
    const receiver = consume(b);
    const big = repetitive(10_000);
    a.send(0, 0, 1, big);
    a.send(0, 0, 2, repetitive(50));
    await settle();
    expect(receiver.values).toEqual([big, repetitive(50)]);
    expect(a.stats.compressedFramesOut).toBe(1);
    expect(a.stats.bytesSavedByCompression).toBeGreaterThan(9000);
    a.close();

    const { carrier, mux } = scripted({ compression: { threshold: 100 } });
    mux.send(0, 0, 1, big);
    await settle();
    expect(frames(carrier.sent[0] as Uint8Array)[0]?.flags).toBe(FLAG_BINARY | FLAG_COMPRESSED);
    const off = scripted({ compression: false });
    off.mux.send(0, 0, 1, big);
    await settle();
    expect(frames(off.carrier.sent[0] as Uint8Array)[0]?.flags).toBe(FLAG_BINARY | FLAG_RECEIPT_WANTED); // a quarter of the flow window: it asks for a receipt
    mux.close();
    off.mux.close();
  });

  it("compress the same bytes once for every link they go to in a tick", async () => {
    const deflate = vi.spyOn(compression, "deflatePayload");
    const cache = new EncodeCache();
    const links = [0, 1, 2].map(() => createMemoryCarrierPair());
    const senders = links.map((link) => createSessionMux(link.a, { encodeCache: cache, compression: { threshold: 100 } }));
    const receivers = links.map((link) => consume(createSessionMux(link.b)));
    const big = repetitive(10_000);
    for (const sender of senders) sender.send(0, 0, 1, big);
    await settle();
    expect(deflate).toHaveBeenCalledTimes(1);
    for (const receiver of receivers) expect(receiver.values).toEqual([big]);
    for (const sender of senders) sender.send(0, 0, 2, repetitive(10_000));
    await settle();
    expect(deflate).toHaveBeenCalledTimes(4);
    for (const sender of senders) sender.close();
    deflate.mockRestore();
  });

  it("close the connection when deflated bytes inflate to other than their declared size, or declare over maxInflatedBytes", () => {
    const raw = repetitive(5000);
    for (const [payload, why] of [
      [deflated(raw, 1000), /inflates to more than its declared 1000 bytes/],
      [deflated(raw, 6000), /inflates to 5000 bytes, not the 6000 bytes it declares/],
      [deflated(raw, 100_000), /over maxInflatedBytes \(65536\)/],
    ] as const) {
      const { carrier, consumer, mux } = scripted({ limits: { maxInflatedBytes: 64 * 1024 } });
      carrier.deliver(message({ session: 1, flags: FLAG_BINARY | FLAG_COMPRESSED, payload }, { session: 1, flags: FLAG_BINARY, payload: "after" }));
      expect(consumer.values).toEqual([]);
      expect(consumer.error).toBeInstanceOf(CodecError);
      expect(consumer.error?.message).toMatch(/^Frame on session 1: /);
      expect(consumer.error?.message).toMatch(why);
      expect(mux.closed).toBe(true);
    }
  });

  it("are held to maxFrameBytes when sent and when received", () => {
    const { carrier, consumer, mux } = scripted({ limits: { maxFrameBytes: 10 } });
    expect(() => mux.send(0, 0, 0, new Uint8Array(11))).toThrow(/11-byte payload on session 0: it exceeds maxFrameBytes \(10\)/);
    mux.send(0, 0, 0, new Uint8Array(10));
    carrier.deliver(message({ session: 1, flags: FLAG_BINARY, payload: new Uint8Array(11) }));
    expect(consumer.values).toEqual([]);
    expect(consumer.error?.message).toMatch(/A frame of 11 bytes on session 1 exceeds maxFrameBytes \(10\)/);
  });
});
