import { CodecError } from "../lib/choreography/errors.js";
import { type FrameHeader, MAX_FRAME_HEADER_BYTES, readFrameHeader, writeFrameHeader } from "./frame-header.js";
import type { ByteCursor } from "./varint.js";

const INITIAL_HEADER_BYTES = 256;
/** A header buffer grown past this by a large batch is not kept for the next ones. */
const MAX_RETAINED_HEADER_BYTES = 64 * 1024;
const NO_HEADERS: Uint8Array<ArrayBuffer> = new Uint8Array(0);
/**
 * One header buffer that no writer holds, shared by every writer in the process: a writer takes it (or
 * makes one) for a batch and gives it back once the batch is written, so an idle connection holds none.
 */
let spareHeaders: Uint8Array<ArrayBuffer> | undefined;

/** How a FrameBatchWriter cuts its batches; see its doc. */
export interface FrameBatchSizes {
  /** Frames are packed into messages of up to this many bytes (a larger frame goes alone). Default 64 KiB. */
  readonly messageBytes?: number;
  /** Once this many bytes are queued they are written at once, not at the end of the tick. Default 256 KiB. */
  readonly flushBytes?: number;
}

const DEFAULT_MESSAGE_BYTES = 64 * 1024;
const DEFAULT_FLUSH_BYTES = 256 * 1024;

/**
 * Collects the frames sent during one tick and writes them, in order, as carrier messages of up to
 * 64 KiB (a frame larger than that goes alone, up to `maxMessageBytes`). Headers are written as frames
 * are added; payload bytes are copied once, into the outgoing message.
 *
 * Batches are bounded because a burst (a node opening 100,000 sessions at once, or answering them)
 * would otherwise leave every frame of it queued until the end of the tick and then go out as one
 * message of many megabytes, which the receiver must also hold whole: that transient peak is what a
 * process's memory stays at afterwards. So 256 KiB queued are written at once, and messages stay small
 * enough to be read and freed piece by piece.
 */
/** Where a FrameBatchWriter writes its messages (an object, so a connection's mux needs no closure for it). */
export interface BatchSink {
  /** Takes one message, in order; must not throw. */
  writeBatch(message: Uint8Array): void;
}

export class FrameBatchWriter {
  readonly #messageBytes: number;
  readonly #flushBytes: number;
  readonly #sink: BatchSink;
  /** The headers of the queued frames: a buffer only while frames are queued (see `spareHeaders`). */
  #headers = NO_HEADERS;
  #headersEnd = 0;
  /** Per queued frame: where its header ends in #headers. */
  readonly #headerEnds: number[] = [];
  readonly #payloads: Uint8Array[] = [];
  #pendingBytes = 0;
  #scheduled = false;
  /** Inside `write`: frames added now wait for the next batch, whatever their size. */
  #writing = false;

  /**
   * @param maxMessageBytes largest message to write; every frame added must fit in one.
   * @param sink receives each message, in order, at the end of the tick (or on `flush()`, or once
   *   `sizes.flushBytes` are queued).
   */
  constructor(maxMessageBytes: number, sink: BatchSink, sizes: FrameBatchSizes = {}) {
    this.#messageBytes = Math.min(sizes.messageBytes ?? DEFAULT_MESSAGE_BYTES, maxMessageBytes);
    this.#flushBytes = sizes.flushBytes ?? DEFAULT_FLUSH_BYTES;
    this.#sink = sink;
  }

  /** Bytes queued for the next write. */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  /**
   * Queues one frame and returns its size (header and payload); `header.length` is set from `payload`.
   * The caller has validated the header fields and checked that header and payload fit in one message.
   */
  add(header: FrameHeader, payload: Uint8Array): number {
    header.length = payload.length;
    if (this.#headers === NO_HEADERS) {
      this.#headers = spareHeaders ?? new Uint8Array(INITIAL_HEADER_BYTES);
      spareHeaders = undefined;
    }
    if (this.#headersEnd + MAX_FRAME_HEADER_BYTES > this.#headers.length) {
      const grown = new Uint8Array(this.#headers.length * 2);
      grown.set(this.#headers.subarray(0, this.#headersEnd));
      this.#headers = grown;
    }
    const headerStart = this.#headersEnd;
    this.#headersEnd = writeFrameHeader(this.#headers, headerStart, header);
    this.#headerEnds.push(this.#headersEnd);
    this.#payloads.push(payload);
    const frameBytes = this.#headersEnd - headerStart + payload.length;
    this.#pendingBytes += frameBytes;
    if (this.#pendingBytes >= this.#flushBytes && !this.#writing) this.flush();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      queueMicrotask(() => this.flush());
    }
    return frameBytes;
  }

  /**
   * Writes everything queued now, as messages of at most maxMessageBytes. Frames added or a flush
   * requested from inside `write` go to the next batch.
   */
  flush(): void {
    this.#scheduled = false;
    const payloads = this.#payloads;
    if (payloads.length === 0) return;
    // Every message is built before the first is written, so the queue's buffers can be reused at
    // once: frames added from inside `write` go into them without touching this batch.
    const messages = this.#build();
    this.discard();
    this.#writing = true;
    try {
      for (const message of messages) this.#sink.writeBatch(message);
    } finally {
      this.#writing = false;
    }
  }

  /** Forgets every queued frame (the connection is gone, or they were just built into messages). */
  discard(): void {
    const headers = this.#headers;
    if (headers !== NO_HEADERS && headers.length <= MAX_RETAINED_HEADER_BYTES) spareHeaders = headers;
    this.#headers = NO_HEADERS;
    this.#headersEnd = 0;
    this.#headerEnds.length = 0;
    this.#payloads.length = 0;
    this.#pendingBytes = 0;
  }

  /** Copies the queued headers and payloads into messages of the target size (one frame may be larger, up to maxMessageBytes). */
  #build(): Uint8Array[] {
    const headers = this.#headers;
    const headerEnds = this.#headerEnds;
    const payloads = this.#payloads;
    const messages: Uint8Array[] = [];
    let first = 0;
    let headerStart = 0;
    while (first < payloads.length) {
      let size = 0;
      let last = first;
      let end = headerStart;
      while (last < payloads.length) {
        const headerEnd = headerEnds[last] as number;
        const frameSize = headerEnd - end + (payloads[last] as Uint8Array).length;
        if (last > first && size + frameSize > this.#messageBytes) break;
        size += frameSize;
        end = headerEnd;
        last++;
      }
      const message = new Uint8Array(size);
      let pos = 0;
      for (let index = first; index < last; index++) {
        const headerEnd = headerEnds[index] as number;
        message.set(headers.subarray(headerStart, headerEnd), pos);
        pos += headerEnd - headerStart;
        headerStart = headerEnd;
        const payload = payloads[index] as Uint8Array;
        message.set(payload, pos);
        pos += payload.length;
      }
      first = last;
      messages.push(message);
    }
    return messages;
  }
}

/** What readFrameBatch hands each frame to (an object, so a connection's mux needs no closure for it). */
export interface FrameReader {
  /** Takes one frame (the payload is a view into the message); returns false to stop early (e.g. the connection closed). */
  frame(header: Readonly<FrameHeader>, payload: Uint8Array): boolean;
}

/**
 * Walks one carrier message frame by frame, validating the message size, every header and every
 * payload bound before slicing, and hands each frame to `reader`. Throws a CodecError for an empty
 * or oversized message, a malformed header, or a payload running past the message end; frames before
 * the fault have been delivered.
 */
export function readFrameBatch(message: Uint8Array, maxMessageBytes: number, reader: FrameReader): void {
  if (message.length === 0) {
    throw new CodecError("Malformed carrier message: it is empty; a message carries at least one frame.");
  }
  if (message.length > maxMessageBytes) {
    throw new CodecError(
      `Carrier message of ${message.length} bytes exceeds maxMessageBytes (${maxMessageBytes}); ` +
        "configure both sides with the same binding limits.",
    );
  }
  const cursor: ByteCursor = { bytes: message, pos: 0 };
  const header: FrameHeader = { flags: 0, session: 0, lane: 0, label: 0, length: 0 };
  while (cursor.pos < message.length) {
    const start = cursor.pos;
    readFrameHeader(cursor, header);
    const payloadEnd = cursor.pos + header.length;
    if (payloadEnd > message.length) {
      throw new CodecError(
        `Malformed frame at byte ${start}: its ${header.length}-byte payload runs past the end of the ` +
          `${message.length}-byte message.`,
      );
    }
    const payload = message.subarray(cursor.pos, payloadEnd);
    cursor.pos = payloadEnd;
    if (!reader.frame(header, payload)) return;
  }
}
