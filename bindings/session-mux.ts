import type { Carrier, CarrierCloseEvent, CarrierHandlers } from "../transports/carrier.js";
import { ChoreographyError, CodecError, PhaseInvariant, SessionFault, TransportError } from "../lib/choreography/errors.js";
import type { InboundPayload, SessionMux, SessionMuxHandlers } from "../lib/choreography/wire.js";
import { type CompressionOptions, type CompressionSettings, resolveCompression } from "./compression.js";
import { type EncodeCache, sharedEncodeCache } from "./encode-cache.js";
import { type BatchSink, FrameBatchWriter, type FrameReader, readFrameBatch } from "./frame-batch.js";
import { FlowWindow } from "./flow-window.js";
import { FLAG_BINARY, FLAG_COMPRESSED, FLAG_RECEIPT, FLAG_RECEIPT_WANTED, FLAG_RESET, type FrameHeader, frameHeaderSize } from "./frame-header.js";
import { InboundFrame } from "./inbound-frame.js";
import { jsonCodec } from "./json-codec.js";
import { type BindingLimits, resolveBindingLimits } from "./limits.js";
import type { PayloadCodec } from "./payload-codec.js";
import type { SessionMuxStats } from "./session-mux-stats.js";
import { isVarUint } from "./varint.js";
import { type EncodedPayload, encodePayload } from "./wire-payload.js";

/** Options of `createSessionMux`; both ends of a connection should use the same codec and limits. */
export interface SessionMuxOptions {
  /** Payload codec (default: jsonCodec). */
  readonly codec?: PayloadCodec;
  /** When to deflate payloads (default: DEFAULT_COMPRESSION); `false` sends everything uncompressed. */
  readonly compression?: CompressionOptions | false;
  /** What this side accepts (and refuses to send); omitted fields take DEFAULT_BINDING_LIMITS. */
  readonly limits?: Partial<BindingLimits>;
  /**
   * Where encoded payloads are remembered by object identity (default: sharedEncodeCache, shared by
   * every mux); `false` encodes every send afresh. Sent payload objects must not be mutated afterwards.
   */
  readonly encodeCache?: EncodeCache | false;
  /**
   * The largest flow window in bytes (default DEFAULT_FLOW_WINDOW_BYTES): the window in force adapts
   * below it to the round trips this side measures (see FlowWindow). Each side chooses its own.
   */
  readonly flowWindowBytes?: number;
}

/** A SessionMux over one carrier, with what benchmarks and flow control need to see. */
export interface CarrierSessionMux extends SessionMux {
  /** The carrier's peer description. */
  readonly peer: string;
  /** True once the connection ended (close(), a violation, or the carrier closing). */
  readonly closed: boolean;
  /** Bytes queued in this tick's batch plus bytes the carrier has not written out yet. */
  readonly bufferedAmount: number;
  /** Live traffic counters. */
  readonly stats: SessionMuxStats;
  /** The limits in force, defaults filled in. */
  readonly limits: BindingLimits;
  /** The flow window in force: it adapts to the round trips this side measures (see FlowWindow). */
  readonly flowWindowBytes: number;
  /**
   * Bytes of frames this side sent or queued that the peer has not yet receipted: what is in flight,
   * in the peer's buffers or in this side's. A sender that keeps it under `flowWindowBytes` never
   * queues more than a window toward a slow reader.
   */
  readonly unacknowledgedBytes: number;
  /** Calls `handler` after each receipt from the peer (so a sender held back by the window resumes at once). */
  onReceipt(handler: () => void): void;
}

/**
 * Multiplexes sessions and lanes over one carrier: frames sent in one tick go out as one carrier
 * message; inbound frames are validated and handed to the consumer one by one, synchronously, so a
 * session opened while a message is delivered receives the very next frame (frames that arrive before
 * the consumer attaches are held). Payloads are handed over undecoded and decoded only when the consumer
 * asks. Anything the peer sends against the rules closes the whole connection at once, with a
 * CodecError naming the limit or fault, and no later frame of the message is read: a malformed message
 * or header, an oversized frame or reset reason, a payload that cannot be decoded, a frame the consumer
 * refuses (a session that is not open), a receipt that is malformed or for more than was sent. Keeps
 * nothing per session. Takes over the carrier: it attaches to it and closes it when the mux closes.
 * Keeps a flow window (see FlowWindow): frames ask for receipts about once a round trip, and the
 * receipts this side owes go in its normal batch.
 */
export function createSessionMux(carrier: Carrier, options: SessionMuxOptions = {}): CarrierSessionMux {
  return new Mux(carrier, options);
}

/** Longest reset reason sent, in characters; longer reasons are cut. */
const MAX_REASON_CHARS = 200;
/** Most reset-reason bytes a receiver accepts (a cut reason takes at most 3 bytes per character, and "…"). */
const MAX_REASON_BYTES = 4 * MAX_REASON_CHARS;

const reasonEncoder = new TextEncoder();
/** The reason of a clean end (most session ends): no bytes, and no buffer made for them. */
const NO_REASON = new Uint8Array(0);
const reasonDecoder = new TextDecoder();

/** An inbound frame that came before the consumer attached: a message, or (lane -1) a session's end with its error. */
interface HeldFrame {
  readonly session: number;
  readonly lane: number;
  readonly label: number;
  readonly payload: InboundPayload | Error | undefined;
}

class Counters implements SessionMuxStats {
  messagesOut = 0;
  framesOut = 0;
  bytesOut = 0;
  compressedFramesOut = 0;
  bytesSavedByCompression = 0;
  messagesIn = 0;
  framesIn = 0;
  bytesIn = 0;
}

class Mux implements CarrierSessionMux, BatchSink, FrameReader {
  readonly peer: string;
  readonly limits: BindingLimits;
  readonly stats = new Counters();
  readonly #carrier: Carrier;
  readonly #codec: PayloadCodec;
  readonly #compression: CompressionSettings;
  readonly #cache: EncodeCache | undefined;
  readonly #writer: FrameBatchWriter;
  #handlers: SessionMuxHandlers | undefined;
  /** Frames that came before attach(); made only then. */
  #held: HeldFrame[] | undefined;
  /** Made with the first handler, as an array of one (an array grown by its first push reserves room for seventeen). */
  #closeHandlers: Array<(error: Error | undefined) => void> | undefined;
  #receiptHandlers: Array<() => void> | undefined;
  readonly #flow: FlowWindow;
  /** Bytes of the frames handed over from the message being read, and whether one of them asked for a receipt. */
  #receivedBytes = 0;
  #receiptWanted = false;
  readonly #outHeader: FrameHeader = { flags: 0, session: 0, lane: 0, label: 0, length: 0 };
  /** The payload of the frame being handed over (valid during that call only). */
  readonly #inbound: InboundFrame;
  #closed = false;
  #closeError: Error | undefined;

  constructor(carrier: Carrier, options: SessionMuxOptions) {
    this.peer = carrier.peer;
    this.limits = resolveBindingLimits(options.limits);
    this.#carrier = carrier;
    this.#codec = options.codec ?? jsonCodec;
    this.#compression = resolveCompression(options.compression);
    this.#cache = options.encodeCache === false ? undefined : (options.encodeCache ?? sharedEncodeCache);
    // The mux is its writer's sink and its reader's frame handler, and hands its carrier one small
    // object: no closure each (a router holds a mux per connection).
    this.#writer = new FrameBatchWriter(this.limits.maxMessageBytes, this);
    this.#inbound = new InboundFrame(this.#codec, this.limits);
    this.#flow = new FlowWindow(options.flowWindowBytes);
    carrier.attach(new CarrierEnd(this));
  }

  get closed(): boolean {
    return this.#closed;
  }

  get bufferedAmount(): number {
    return this.#writer.pendingBytes + (this.#carrier.state === "open" ? this.#carrier.bufferedAmount : 0);
  }

  get flowWindowBytes(): number {
    return this.#flow.windowBytes;
  }

  get unacknowledgedBytes(): number {
    return this.#flow.unacknowledged;
  }

  onReceipt(handler: () => void): void {
    if (this.#receiptHandlers === undefined) this.#receiptHandlers = [handler];
    else this.#receiptHandlers.push(handler);
  }

  attach(handlers: SessionMuxHandlers): void {
    if (this.#handlers !== undefined) {
      throw new PhaseInvariant(`The connection to ${this.peer} already has a consumer; attach() may be called once.`);
    }
    this.#handlers = handlers;
    const held = this.#held;
    this.#held = undefined;
    // The connection may have ended before attach(): its last frames still count, then `closed` follows.
    const endedBefore = this.#closed;
    if (held !== undefined) {
      for (const frame of held) {
        try {
          this.#handOver(frame.session, frame.lane, frame.label, frame.payload);
        } catch (error) {
          if (endedBefore) break;
          this.#violation(error); // tells the consumer `closed`
          return;
        }
        if (this.#closed && !endedBefore) return; // the consumer closed the connection meanwhile
      }
    }
    if (endedBefore) notify(() => handlers.closed(this.#closeError));
  }

  close(error?: Error): void {
    this.#shutdown(error, error === undefined ? "closed" : error.message);
  }

  onClose(handler: (error: Error | undefined) => void): void {
    if (this.#closed) notify(() => handler(this.#closeError));
    else if (this.#closeHandlers === undefined) this.#closeHandlers = [handler];
    else this.#closeHandlers.push(handler);
  }

  /**
   * Queues one data frame of session `session`; throws when the connection is gone or the payload is
   * too big. A Uint8Array payload goes as it is (a binary frame, deflated when that pays), never
   * through the codec; its bytes are copied out at the end of the tick, so they must not change until then.
   */
  send(session: number, lane: number, label: number, payload: unknown): void {
    if (!isVarUint(session) || !isVarUint(lane) || !isVarUint(label)) {
      throw new RangeError(`Session, lane and label must be integers from 0 to 4294967295, got session ${session}, lane ${lane}, label ${label}.`);
    }
    this.#assertWritable(session);
    const encoded: EncodedPayload =
      this.#cache === undefined
        ? encodePayload(payload, this.#codec, this.#compression)
        : this.#cache.encode(payload, this.#codec, this.#compression);
    if (encoded.bytes.length > this.limits.maxFrameBytes) {
      throw new CodecError(
        `Cannot send a ${encoded.bytes.length}-byte payload on session ${session}: it exceeds maxFrameBytes ` +
          `(${this.limits.maxFrameBytes}). Send smaller payloads or raise limits.maxFrameBytes on both sides.`,
      );
    }
    if (encoded.compressed) {
      this.stats.compressedFramesOut++;
      this.stats.bytesSavedByCompression += encoded.encodedLength - encoded.bytes.length;
    }
    this.#queue((encoded.compressed ? FLAG_COMPRESSED : 0) | (encoded.binary ? FLAG_BINARY : 0), session, lane, label, encoded.bytes);
  }

  /** Tells the peer that session `session` ended here (a reset frame: empty for a clean end, else the reason). */
  endSession(session: number, error?: Error): void {
    if (this.#closed || this.#carrier.state === "closed" || !isVarUint(session)) return;
    const reason = error === undefined ? "" : error.message || error.name;
    const bytes =
      reason === "" ? NO_REASON : reasonEncoder.encode(reason.length > MAX_REASON_CHARS ? `${reason.slice(0, MAX_REASON_CHARS)}…` : reason);
    this.#queue(FLAG_RESET, session, 0, 0, bytes);
  }

  #assertWritable(session: number): void {
    if (this.#closed) {
      throw new TransportError(`Cannot send on session ${session}: the connection to ${this.peer} is closed.`, {
        cause: this.#closeError,
      });
    }
    if (this.#carrier.state === "closed") {
      const error = new TransportError(`Cannot send on session ${session}: the carrier to ${this.peer} is closed.`);
      this.#shutdown(error, error.message);
      throw error;
    }
  }

  #queue(flags: number, session: number, lane: number, label: number, payload: Uint8Array): void {
    const header = this.#outHeader;
    header.session = session;
    header.lane = lane;
    header.label = label;
    header.length = payload.length;
    header.flags = this.#flow.sending(frameHeaderSize(header) + payload.length) ? flags | FLAG_RECEIPT_WANTED : flags;
    this.stats.framesOut++;
    this.#writer.add(header, payload);
  }

  /** @internal A batch of frames to send (see BatchSink). */
  writeBatch(message: Uint8Array): void {
    if (this.#carrier.state === "closed") return;
    try {
      this.#carrier.send(message);
    } catch (error) {
      const failure = new TransportError(`Sending to ${this.peer} failed: ${describe(error)}.`, { cause: error });
      this.#shutdown(failure, failure.message);
      return;
    }
    this.stats.messagesOut++;
    this.stats.bytesOut += message.length;
  }

  /** @internal A message from the carrier. */
  received(message: Uint8Array): void {
    if (this.#closed) return;
    this.stats.messagesIn++;
    this.stats.bytesIn += message.length;
    this.#receivedBytes = 0;
    this.#receiptWanted = false;
    try {
      readFrameBatch(message, this.limits.maxMessageBytes, this);
    } catch (error) {
      this.#violation(error);
      return;
    } finally {
      this.#inbound.release();
    }
    const receipt = this.#flow.received(this.#receivedBytes, this.#receiptWanted);
    if (receipt !== undefined && !this.#closed && this.#carrier.state === "open") {
      const header = this.#outHeader;
      header.flags = FLAG_RECEIPT;
      header.session = 0;
      header.lane = 0;
      header.label = 0;
      this.#writer.add(header, receipt);
    }
  }

  /** Closes the connection for something the peer sent that breaks the rules of the connection as a whole. */
  #violation(error: unknown): void {
    const violation =
      error instanceof ChoreographyError ? error : new CodecError(`Reading a message from ${this.peer} failed: ${describe(error)}.`, { cause: error });
    this.#shutdown(violation, `protocol violation: ${violation.message}`);
  }

  /**
   * @internal Handles one inbound frame (see FrameReader); returns false once the connection is closed
   * (stop reading). Throws a CodecError for a frame over the limits; the consumer may throw for one it refuses.
   */
  frame(header: Readonly<FrameHeader>, payload: Uint8Array): boolean {
    this.stats.framesIn++;
    const session = header.session;
    if ((header.flags & FLAG_RECEIPT) !== 0) {
      this.#flow.receipted(payload);
      const receiptHandlers = this.#receiptHandlers;
      if (receiptHandlers !== undefined) for (const handler of receiptHandlers) notify(handler);
      return !this.#closed;
    }
    this.#receivedBytes += frameHeaderSize(header) + payload.length;
    if ((header.flags & FLAG_RECEIPT_WANTED) !== 0) this.#receiptWanted = true;
    if ((header.flags & FLAG_RESET) !== 0) {
      if (payload.length > MAX_REASON_BYTES) {
        throw new CodecError(
          `The reset of session ${session} carries a ${payload.length}-byte reason; a reason takes at most ${MAX_REASON_BYTES} bytes.`,
        );
      }
      const error = payload.length === 0 ? undefined : new SessionFault(`peer closed session ${session}: ${reasonDecoder.decode(payload)}`);
      this.#handOver(session, -1, 0, error);
    } else {
      if (payload.length > this.limits.maxFrameBytes) {
        throw new CodecError(
          `A frame of ${payload.length} bytes on session ${session} exceeds maxFrameBytes (${this.limits.maxFrameBytes}); ` +
            "configure both sides with the same binding limits.",
        );
      }
      const compressed = (header.flags & FLAG_COMPRESSED) !== 0;
      const binary = (header.flags & FLAG_BINARY) !== 0;
      const inbound = this.#handlers === undefined ? new InboundFrame(this.#codec, this.limits) : this.#inbound;
      this.#handOver(session, header.lane, header.label, inbound.of(session, payload, compressed, binary));
    }
    return !this.#closed;
  }

  /** Gives the consumer one message (`lane` -1: the end of `session`, `payload` its error), or holds it until attach(). */
  #handOver(session: number, lane: number, label: number, payload: InboundPayload | Error | undefined): void {
    const handlers = this.#handlers;
    if (handlers === undefined) (this.#held ??= []).push({ session, lane, label, payload });
    else if (lane < 0) handlers.sessionEnded(session, payload as Error | undefined);
    else handlers.receive(session, lane, label, payload as InboundPayload);
  }

  /** @internal The carrier closed. */
  carrierClosed(event: CarrierCloseEvent): void {
    if (this.#closed) return;
    const how = event.byPeer ? "was closed by the peer or the network" : "was closed";
    this.#shutdown(
      new TransportError(`The connection to ${this.peer} ${how}: ${event.reason}`, { cause: event.error }),
      event.reason,
    );
  }

  #shutdown(error: Error | undefined, reason: string): void {
    if (this.#closed) return;
    this.#writer.flush();
    if (this.#closed) return; // a failed write during the flush already shut the connection down
    this.#closed = true;
    this.#closeError = error;
    this.#writer.discard();
    if (this.#carrier.state === "open") this.#carrier.close(reason);
    const handlers = this.#handlers;
    if (handlers !== undefined) notify(() => handlers.closed(error));
    const closeHandlers = this.#closeHandlers;
    this.#closeHandlers = undefined;
    if (closeHandlers !== undefined) for (const handler of closeHandlers) notify(() => handler(error));
  }
}

/** Calls a consumer's callback; if it throws, the error is rethrown on its own so this layer stays consistent. */
/** What a mux hands its carrier: the carrier's messages and its close, passed on to the mux. */
class CarrierEnd implements CarrierHandlers {
  constructor(private readonly mux: Mux) {}

  message(bytes: Uint8Array): void {
    this.mux.received(bytes);
  }

  close(event: CarrierCloseEvent): void {
    this.mux.carrierClosed(event);
  }
}

function notify(callback: () => void): void {
  try {
    callback();
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
