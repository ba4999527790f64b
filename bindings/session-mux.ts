import type { Carrier, CarrierCloseEvent } from "../transports/carrier.js";
import {
  ChoreographyError,
  CodecError,
  PhaseInvariant,
  SessionFault,
  TransportError,
} from "../lib/choreography/errors.js";
import type { SessionMux, SessionWire, SessionWireHandlers } from "../lib/choreography/wire.js";
import { type CompressionOptions, type CompressionSettings, resolveCompression } from "./compression.js";
import { type EncodeCache, sharedEncodeCache } from "./encode-cache.js";
import { FrameBatchWriter, readFrameBatch } from "./frame-batch.js";
import { FLAG_COMPRESSED, FLAG_RESET, type FrameHeader } from "./frame-header.js";
import { jsonCodec } from "./json-codec.js";
import { type BindingLimits, resolveBindingLimits } from "./limits.js";
import type { PayloadCodec } from "./payload-codec.js";
import type { SessionMuxStats } from "./session-mux-stats.js";
import { isVarUint } from "./varint.js";
import { type EncodedPayload, decodePayload, encodePayload } from "./wire-payload.js";

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
}

/**
 * Multiplexes sessions and lanes over one carrier: frames sent in one tick go out as one carrier
 * message; inbound frames are validated and dispatched one by one, synchronously, so a session opened
 * while a message is delivered receives the very next frame. Session 0 exists from the start (frames
 * for it are held until `open(0)`). A bad payload closes only its session (CodecError here, a reset at
 * the peer); a malformed message or a frame for a session never opened closes the whole connection.
 * Takes over the carrier: it attaches to it and closes it when the mux closes.
 */
export function createSessionMux(carrier: Carrier, options: SessionMuxOptions = {}): CarrierSessionMux {
  return new Mux(carrier, options);
}

/** Longest reset reason sent, in characters; longer reasons are cut. */
const MAX_REASON_CHARS = 200;
/** Most reset-reason bytes a receiver looks at. */
const MAX_REASON_BYTES = 4 * MAX_REASON_CHARS;

const reasonEncoder = new TextEncoder();
const reasonDecoder = new TextDecoder();

interface HeldMessage {
  readonly lane: number;
  readonly label: number;
  readonly payload: unknown;
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

class Mux implements CarrierSessionMux {
  readonly peer: string;
  readonly limits: BindingLimits;
  readonly stats = new Counters();
  readonly #carrier: Carrier;
  readonly #codec: PayloadCodec;
  readonly #compression: CompressionSettings;
  readonly #cache: EncodeCache | undefined;
  readonly #writer: FrameBatchWriter;
  readonly #sessions = new Map<number, Wire>();
  /** Ids that were open once; late frames for them are dropped (ids are never reused). */
  readonly #retired = new Set<number>();
  /** Session 0 until open(0) hands it out. */
  #unclaimedZero: Wire | undefined;
  readonly #closeHandlers: Array<(error: Error | undefined) => void> = [];
  readonly #outHeader: FrameHeader = { flags: 0, session: 0, lane: 0, label: 0, length: 0 };
  #closed = false;
  #closeError: Error | undefined;

  constructor(carrier: Carrier, options: SessionMuxOptions) {
    this.peer = carrier.peer;
    this.limits = resolveBindingLimits(options.limits);
    this.#carrier = carrier;
    this.#codec = options.codec ?? jsonCodec;
    this.#compression = resolveCompression(options.compression);
    this.#cache = options.encodeCache === false ? undefined : (options.encodeCache ?? sharedEncodeCache);
    this.#writer = new FrameBatchWriter(this.limits.maxMessageBytes, (message) => this.#write(message));
    const zero = new Wire(this, 0);
    this.#sessions.set(0, zero);
    this.#unclaimedZero = zero;
    carrier.attach({
      message: (bytes) => this.#receive(bytes),
      close: (event) => this.#carrierClosed(event),
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  get bufferedAmount(): number {
    return this.#writer.pendingBytes + (this.#carrier.state === "open" ? this.#carrier.bufferedAmount : 0);
  }

  open(session: number): SessionWire {
    if (!isVarUint(session)) {
      throw new RangeError(`Session id must be an integer from 0 to 4294967295, got ${session}.`);
    }
    if (session === 0 && this.#unclaimedZero !== undefined) {
      const zero = this.#unclaimedZero;
      this.#unclaimedZero = undefined;
      return zero;
    }
    if (this.#closed) {
      throw new TransportError(`Cannot open session ${session}: the connection to ${this.peer} is closed.`, {
        cause: this.#closeError,
      });
    }
    if (this.#sessions.has(session) || this.#retired.has(session) || session === 0) {
      throw new PhaseInvariant(
        `Cannot open session ${session} on the connection to ${this.peer}: it is already open or was used before; session ids are never reused.`,
      );
    }
    const wire = new Wire(this, session);
    this.#sessions.set(session, wire);
    return wire;
  }

  close(error?: Error): void {
    this.#shutdown(error, error === undefined ? "closed" : error.message);
  }

  onClose(handler: (error: Error | undefined) => void): void {
    if (this.#closed) notify(() => handler(this.#closeError));
    else this.#closeHandlers.push(handler);
  }

  /** Queues one data frame of session `session`; throws when the connection is gone or the payload is too big. */
  sendData(session: number, lane: number, label: number, payload: unknown): void {
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
    this.#queue(encoded.compressed ? FLAG_COMPRESSED : 0, session, lane, label, encoded.bytes);
  }

  /** Tells the peer that session `session` ended here (`reason` empty for a clean close), if the connection is up. */
  sendReset(session: number, reason: string): void {
    if (this.#closed || this.#carrier.state === "closed") return;
    const bytes = reasonEncoder.encode(reason.length > MAX_REASON_CHARS ? `${reason.slice(0, MAX_REASON_CHARS)}…` : reason);
    this.#queue(FLAG_RESET, session, 0, 0, bytes);
  }

  /** A session ended: late frames for it will be dropped. */
  retire(session: number): void {
    this.#sessions.delete(session);
    this.#retired.add(session);
  }

  /** Why the connection closed, for errors raised by sends afterwards. */
  get closeError(): Error | undefined {
    return this.#closeError;
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
    header.flags = flags;
    header.session = session;
    header.lane = lane;
    header.label = label;
    this.stats.framesOut++;
    this.#writer.add(header, payload);
  }

  #write(message: Uint8Array): void {
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

  #receive(message: Uint8Array): void {
    if (this.#closed) return;
    this.stats.messagesIn++;
    this.stats.bytesIn += message.length;
    try {
      readFrameBatch(message, this.limits.maxMessageBytes, this.#dispatch);
    } catch (error) {
      const violation =
        error instanceof ChoreographyError
          ? error
          : new CodecError(`Reading a message from ${this.peer} failed: ${describe(error)}.`, { cause: error });
      this.#shutdown(violation, `protocol violation: ${violation.message}`);
    }
  }

  /** Handles one inbound frame; returns false once the connection is closed (stop reading). */
  readonly #dispatch = (header: Readonly<FrameHeader>, payload: Uint8Array): boolean => {
    this.stats.framesIn++;
    const wire = this.#sessions.get(header.session);
    if (wire === undefined) {
      if (this.#retired.has(header.session) || (header.flags & FLAG_RESET) !== 0) return true;
      throw new SessionFault(
        `Peer ${this.peer} sent a frame for session ${header.session}, which was never opened on this connection ` +
          "(sessions must be announced before use); closing the connection.",
      );
    }
    if ((header.flags & FLAG_RESET) !== 0) {
      const reason = reasonDecoder.decode(payload.subarray(0, MAX_REASON_BYTES));
      wire.end(
        reason === "" ? undefined : new SessionFault(`peer closed session ${header.session}: ${reason}`),
        false,
      );
    } else if (payload.length > this.limits.maxFrameBytes) {
      wire.end(
        new CodecError(
          `Frame of ${payload.length} bytes on session ${header.session} exceeds maxFrameBytes (${this.limits.maxFrameBytes}).`,
        ),
        true,
      );
    } else {
      let value: unknown;
      try {
        value = decodePayload(payload, (header.flags & FLAG_COMPRESSED) !== 0, this.#codec, this.limits.maxInflatedBytes);
      } catch (error) {
        wire.end(error instanceof Error ? error : new CodecError(String(error)), true);
        return !this.#closed;
      }
      wire.deliver(header.lane, header.label, value);
    }
    return !this.#closed;
  };

  #carrierClosed(event: CarrierCloseEvent): void {
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
    for (const wire of [...this.#sessions.values()]) wire.end(error, false);
    for (const handler of this.#closeHandlers.splice(0)) notify(() => handler(error));
  }
}

/** One session of a Mux, as handed to an endpoint. */
class Wire implements SessionWire {
  readonly session: number;
  readonly #mux: Mux;
  #handlers: SessionWireHandlers | undefined;
  /** Messages that came before attach(); made only then (sessions are usually attached at once). */
  #held: HeldMessage[] | undefined;
  #closed = false;
  #closeError: Error | undefined;

  constructor(mux: Mux, session: number) {
    this.#mux = mux;
    this.session = session;
  }

  send(lane: number, label: number, payload: unknown): void {
    if (this.#closed) {
      if (this.#mux.closed) {
        throw new TransportError(
          `Cannot send on session ${this.session}: the connection to ${this.#mux.peer} is closed.`,
          { cause: this.#mux.closeError },
        );
      }
      throw new SessionFault(
        `Cannot send on session ${this.session}: it was closed${this.#closeError === undefined ? "" : ` (${this.#closeError.message})`}.`,
        { cause: this.#closeError },
      );
    }
    if (!isVarUint(lane) || !isVarUint(label)) {
      throw new RangeError(`Lane and label must be integers from 0 to 4294967295, got lane ${lane}, label ${label}.`);
    }
    this.#mux.sendData(this.session, lane, label, payload);
  }

  attach(handlers: SessionWireHandlers): void {
    if (this.#handlers !== undefined) {
      throw new PhaseInvariant(`Session ${this.session} already has a consumer; attach() may be called once.`);
    }
    this.#handlers = handlers;
    const closedBefore = this.#closed;
    const held = this.#held ?? [];
    this.#held = undefined;
    for (const message of held) {
      if (this.#closed !== closedBefore) return;
      if (!this.#handOver(handlers, message.lane, message.label, message.payload)) return;
    }
    if (closedBefore) notify(() => handlers.close(this.#closeError));
  }

  close(error?: Error): void {
    this.end(error, true);
  }

  /** One decoded inbound message for this session. */
  deliver(lane: number, label: number, payload: unknown): void {
    if (this.#closed) return;
    if (this.#handlers === undefined) (this.#held ??= []).push({ lane, label, payload });
    else this.#handOver(this.#handlers, lane, label, payload);
  }

  /** Ends the session once; `notifyPeer` sends a reset so the peer's side ends too. */
  end(error: Error | undefined, notifyPeer: boolean): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeError = error;
    this.#mux.retire(this.session);
    if (notifyPeer) this.#mux.sendReset(this.session, error === undefined ? "" : error.message || error.name);
    const handlers = this.#handlers;
    if (handlers !== undefined) notify(() => handlers.close(error));
  }

  /** Gives one message to the consumer; a throwing consumer ends the session with what it threw. */
  #handOver(handlers: SessionWireHandlers, lane: number, label: number, payload: unknown): boolean {
    try {
      handlers.receive(lane, label, payload);
      return true;
    } catch (error) {
      this.end(
        error instanceof Error
          ? error
          : new SessionFault(`The consumer of session ${this.session} threw: ${String(error)}`),
        true,
      );
      return false;
    }
  }
}

/** Calls a consumer's callback; if it throws, the error is rethrown on its own so this layer stays consistent. */
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
