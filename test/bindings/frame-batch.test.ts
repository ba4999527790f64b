import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CodecError } from "../../lib/choreography/errors.js";
import { FrameBatchWriter, readFrameBatch } from "../../bindings/frame-batch.js";
import { FLAG_COMPRESSED, type FrameHeader, MAX_FRAME_HEADER_BYTES } from "../../bindings/frame-header.js";

interface Frame {
  readonly session: number;
  readonly lane: number;
  readonly label: number;
  readonly flags: number;
  readonly payload: number[];
}

const frame: fc.Arbitrary<Frame> = fc.record({
  session: fc.nat(1000),
  lane: fc.nat(8),
  label: fc.nat(300),
  flags: fc.constantFrom(0, FLAG_COMPRESSED),
  payload: fc.array(fc.nat(255), { maxLength: 40 }),
});

function readAll(message: Uint8Array, maxMessageBytes = 1 << 20): Frame[] {
  const frames: Frame[] = [];
  readFrameBatch(message, maxMessageBytes, {
    frame: (header, payload) => {
      frames.push({ session: header.session, lane: header.lane, label: header.label, flags: header.flags, payload: [...payload] });
      return true;
    },
  });
  return frames;
}

function writeAll(frames: readonly Frame[], maxMessageBytes: number): Uint8Array[] {
  const messages: Uint8Array[] = [];
  const writer = new FrameBatchWriter(maxMessageBytes, { writeBatch: (message) => void messages.push(message) });
  for (const f of frames) {
    const header: FrameHeader = { flags: f.flags, session: f.session, lane: f.lane, label: f.label, length: 0 };
    writer.add(header, Uint8Array.from(f.payload));
  }
  writer.flush();
  return messages;
}

describe("frame batch", () => {
  it("writes the frames of one tick as one message and reads them back in order", async () => {
    const messages: Uint8Array[] = [];
    const writer = new FrameBatchWriter(1 << 20, { writeBatch: (message) => void messages.push(message) });
    for (let index = 0; index < 10; index++) {
      writer.add({ flags: 0, session: index % 3, lane: index % 2, label: index, length: 0 }, Uint8Array.of(index));
    }
    expect(writer.pendingBytes).toBe(10 * 6);
    expect(messages).toHaveLength(0);
    await Promise.resolve();
    expect(messages).toHaveLength(1);
    expect(writer.pendingBytes).toBe(0);
    expect(readAll(messages[0] as Uint8Array).map((f) => f.label)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("keeps each writer's headers apart when writers take turns within a tick (they share one spare header buffer)", () => {
    const written = new Map<string, Uint8Array[]>([["a", []], ["b", []]]);
    const a = new FrameBatchWriter(1 << 20, { writeBatch: (message) => void written.get("a")?.push(message) });
    const b = new FrameBatchWriter(1 << 20, { writeBatch: (message) => void written.get("b")?.push(message) });
    const header = (session: number, label: number): FrameHeader => ({ flags: 0, session, lane: 0, label, length: 0 });
    a.add(header(1, 1), Uint8Array.of(1));
    a.flush();
    b.add(header(2, 2), Uint8Array.of(2));
    a.add(header(3, 3), Uint8Array.of(3));
    b.add(header(4, 4), Uint8Array.of(4));
    a.flush();
    b.flush();
    const sessions = (of: string) => (written.get(of) ?? []).flatMap((message) => readAll(message)).map((f) => [f.session, f.label, f.payload]);
    expect(sessions("a")).toEqual([[1, 1, [1]], [3, 3, [3]]]);
    expect(sessions("b")).toEqual([[2, 2, [2]], [4, 4, [4]]]);
  });

  it("round-trips any frames, splitting into messages no larger than the limit", () => {
    fc.assert(
      fc.property(fc.array(frame, { minLength: 1, maxLength: 30 }), fc.integer({ min: 64, max: 400 }), (frames, max) => {
        const messages = writeAll(frames, max);
        for (const message of messages) expect(message.length).toBeLessThanOrEqual(max);
        expect(messages.flatMap((message) => readAll(message))).toEqual(frames);
      }),
      { numRuns: 200 },
    );
  });

  it("writes every frame once, in the order added, however batches are cut (frames added from inside write wait for the next batch)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(frame, { minLength: 1, maxLength: 12 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 64, max: 400 }),
        fc.integer({ min: 1, max: 800 }),
        (batches, max, flushBytes) => {
          const written: Frame[][] = [];
          const added: Frame[] = [];
          let next = 1;
          const add = (f: Frame) => {
            added.push(f);
            writer.add({ flags: f.flags, session: f.session, lane: f.lane, label: f.label, length: 0 }, Uint8Array.from(f.payload));
          };
          const writer = new FrameBatchWriter(
            max,
            {
              writeBatch: (message) => {
                written.push(readAll(message));
                // The first message of a batch queues the whole next batch while this one is still being written.
                if (next < batches.length) (batches[next++] as Frame[]).forEach(add);
              },
            },
            { flushBytes }, // often reached while adding, and while writing
          );
          (batches[0] as Frame[]).forEach(add);
          for (let batch = 0; batch < batches.length; batch++) writer.flush();
          expect(added).toHaveLength(batches.flat().length);
          expect(written.flat()).toEqual(added);
          expect(writer.pendingBytes).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("packs frames into messages of the target size; a larger frame goes alone, up to the limit", () => {
    const messages: Uint8Array[] = [];
    const writer = new FrameBatchWriter(1000, { writeBatch: (message) => void messages.push(message) }, { messageBytes: 100 });
    const add = (bytes: number) => writer.add({ flags: 0, session: 1, lane: 0, label: 0, length: 0 }, new Uint8Array(bytes));
    for (let i = 0; i < 4; i++) add(40); // 45 bytes with its header: two to a message
    add(500);
    add(10);
    writer.flush();
    expect(messages.map((message) => readAll(message).length)).toEqual([2, 2, 1, 1]);
    expect(messages.map((message) => message.length)).toEqual([90, 90, 506, 15]);
  });

  it("writes at once once flushBytes are queued, without waiting for the end of the tick", () => {
    const messages: Uint8Array[] = [];
    const writer = new FrameBatchWriter(1 << 20, { writeBatch: (message) => void messages.push(message) }, { flushBytes: 100 });
    const add = (label: number) => writer.add({ flags: 0, session: 1, lane: 0, label, length: 0 }, new Uint8Array(40));
    add(0);
    add(1);
    expect(messages).toHaveLength(0);
    add(2); // 135 bytes queued
    expect(messages).toHaveLength(1);
    expect(readAll(messages[0]!).map((f) => f.label)).toEqual([0, 1, 2]);
    expect(writer.pendingBytes).toBe(0);
  });

  it("starts a new message when the next frame would overflow the limit", () => {
    const big = { session: 1, lane: 0, label: 0, flags: 0, payload: new Array<number>(214).fill(7) };
    const small = { session: 1, lane: 0, label: 1, flags: 0, payload: [1] };
    const messages = writeAll([small, big, small], 200 + MAX_FRAME_HEADER_BYTES);
    expect(messages.map((message) => readAll(message).length)).toEqual([1, 1, 1]);
  });

  it("refuses empty and oversized messages and payloads running past the end", () => {
    expect(() => readAll(new Uint8Array(0))).toThrow(/empty/);
    expect(() => readAll(new Uint8Array(11), 10)).toThrow(/exceeds maxMessageBytes/);
    expect(() => readAll(Uint8Array.of(0, 1, 0, 0, 5, 1, 2, 3))).toThrow(/runs past the end/);
  });

  it("stops when the frame handler says so", () => {
    const [message] = writeAll(
      [
        { session: 0, lane: 0, label: 1, flags: 0, payload: [] },
        { session: 0, lane: 0, label: 2, flags: 0, payload: [] },
      ],
      100,
    );
    const seen: number[] = [];
    readFrameBatch(message as Uint8Array, 100, {
      frame: (header) => {
        seen.push(header.label);
        return false;
      },
    });
    expect(seen).toEqual([1]);
  });

  it("reads any bytes into valid frames within bounds, or throws a CodecError", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          readFrameBatch(bytes, 1 << 20, {
            frame: (_header, payload) => {
              expect(payload.buffer).toBe(bytes.buffer);
              expect(payload.byteOffset + payload.length).toBeLessThanOrEqual(bytes.byteOffset + bytes.length);
              return true;
            },
          });
        } catch (error) {
          expect(error).toBeInstanceOf(CodecError);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
