import type { Carrier, CarrierCloseEvent, CarrierHandlers } from "./carrier.js";
import { CarrierClosedError } from "./carrier-closed-error.js";
import { CarrierInbox } from "./carrier-inbox.js";
import { CarrierProtocolError } from "./carrier-protocol-error.js";

/**
 * What a carrier needs of a message port, typed by shape so that Node users need no DOM types and
 * browser users no Node types: something to `postMessage` to, and its message events, either as
 * `addEventListener` (the browser's MessagePort, Worker, DedicatedWorkerGlobalScope, a SharedWorker's
 * `port`; Node's MessagePort) or as `on` (Node's worker_threads MessagePort, `parentPort` and Worker).
 */
export interface MessagePortLike {
  postMessage(message: unknown, transfer: ArrayBuffer[]): void;
  /** Message events carry the message as `data`. */
  addEventListener?(type: string, listener: (event: object) => void): void;
  removeEventListener?(type: string, listener: (event: object) => void): void;
  on?(type: string, listener: (value: unknown) => void): unknown;
  off?(type: string, listener: (value: unknown) => void): unknown;
  /** A MessagePort listened to with addEventListener delivers nothing until started. */
  start?(): void;
  /** Closes a MessagePort (both ends). Not called on a worker's global scope, where it would end the worker. */
  close?(): void;
}

/** Options of `wrapMessagePort`. */
export interface MessagePortCarrierOptions {
  /** Peer description for logs (default "message port"). */
  readonly peer?: string;
  /**
   * The largest message accepted, in bytes (default 16 MiB + 64): a bigger one closes the carrier with
   * a CarrierProtocolError. A port delivers a message whole, so this bounds what is acted on, not what
   * the platform already copied in.
   */
  readonly maxMessageBytes?: number;
}

/** Default of `maxMessageBytes`: one 16 MiB frame and a header, as the bindings' default limits. */
const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024 + 64;
/** The carrier's own close message: the one message on a port that is not bytes. */
const CLOSE_TAG = "hakuban-port-close";
/** Longest close reason sent or accepted, in characters. */
const MAX_REASON_LENGTH = 200;

/** What a carrier posts when it closes, so the peer learns of it on platforms whose ports have no close event. */
interface CloseMessage {
  readonly [CLOSE_TAG]: string;
}

/**
 * Makes a carrier of a message port: links between `worker_threads`, Web Workers, iframes (through a
 * MessageChannel whose other port was posted to the frame) and SharedWorkers. The port is the carrier's
 * alone from now on: each message is one carrier message (a Uint8Array), and anything else on the port
 * (a string, an object, bytes over shared memory, a message over `maxMessageBytes`) is a protocol
 * violation that closes the carrier with a CarrierProtocolError, as another frame or tab may hold the
 * other end. Give the link a MessageChannel of its own when the worker talks over its port too.
 *
 * A port has no reliable close event everywhere, so the carrier posts a close message of its own when
 * it closes, listens to the platform's close where there is one (Node's MessagePort `close`, a Node
 * Worker's `exit`, the browser's MessagePort `close` where implemented), and leaves a peer that vanished
 * silently (a tab closed, a worker terminated in a browser) to the link's keep-alive.
 *
 * Sending copies the bytes once, into a buffer of the carrier's own that is transferred (moved, not
 * copied) to the other side. The bytes given are never transferred themselves: they may go to other
 * carriers too (the carrier contract), and a transfer detaches them. Posting them as they are would
 * copy them twice (structured clone serializes, then deserializes) and clone all of a buffer a view is
 * part of (a frame in a larger batch buffer would take the whole buffer along); bench/worker-link.ts
 * compares the two for a 64 KB message, and the README's table shows its last figures. `bufferedAmount`
 * is always 0: a port takes each message at once.
 */
export function wrapMessagePort(port: MessagePortLike, options: MessagePortCarrierOptions = {}): Carrier {
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  if (!(Number.isSafeInteger(maxMessageBytes) && maxMessageBytes > 0)) {
    throw new RangeError(`wrapMessagePort option maxMessageBytes must be a positive whole number, got ${maxMessageBytes}.`);
  }
  return new MessagePortCarrier(port, options.peer ?? "message port", maxMessageBytes);
}

/** A carrier over one message port. */
class MessagePortCarrier implements Carrier {
  readonly peer: string;
  readonly bufferedAmount = 0;
  readonly #port: MessagePortLike;
  readonly #maxMessageBytes: number;
  readonly #inbox: CarrierInbox;
  readonly #unlisten: () => void;
  #closeReason: string | undefined;

  constructor(port: MessagePortLike, peer: string, maxMessageBytes: number) {
    this.peer = peer;
    this.#port = port;
    this.#maxMessageBytes = maxMessageBytes;
    this.#inbox = new CarrierInbox(peer, (error) => this.#fail(`message handler threw: ${error.message}`, error, false));
    this.#unlisten = listen(port, {
      message: (data) => this.#receive(data),
      messageError: () => this.#violation("sent a message that could not be deserialized"),
      gone: (reason) => {
        this.#end({ reason, byPeer: true }, false);
        this.#unlisten();
      },
    });
  }

  get state(): "open" | "closed" {
    return this.#closeReason === undefined ? "open" : "closed";
  }

  attach(handlers: CarrierHandlers): void {
    this.#inbox.attach(handlers);
  }

  send(bytes: Uint8Array): void {
    if (this.#closeReason !== undefined) throw new CarrierClosedError(this.peer, this.#closeReason);
    const own = bytes.slice();
    this.#port.postMessage(own, [own.buffer]);
  }

  close(reason?: string): void {
    if (this.#closeReason !== undefined) return;
    const said = reason ?? "closed";
    this.#end({ reason: said, byPeer: false }, true);
    this.#release(said);
  }

  #receive(data: unknown): void {
    if (this.#closeReason !== undefined) return;
    // Not `instanceof`: a port may hand over objects of another realm (an iframe, a test sandbox).
    if (Object.prototype.toString.call(data) === "[object Uint8Array]") {
      const bytes = data as Uint8Array;
      // Shared memory could be changed by the peer after it was checked: only a buffer of our own is taken.
      if (Object.prototype.toString.call(bytes.buffer) !== "[object ArrayBuffer]") return this.#violation("sent bytes over shared memory");
      if (bytes.byteLength > this.#maxMessageBytes) {
        return this.#violation(`sent a message of ${bytes.byteLength} bytes, over maxMessageBytes (${this.#maxMessageBytes})`);
      }
      this.#inbox.message(bytes);
      return;
    }
    const reason = closeReason(data);
    if (reason === undefined) return this.#violation(`sent a message of type ${typeName(data)}, not bytes`);
    this.#end({ reason: reason || "closed by peer", byPeer: true }, false);
    this.#release(undefined);
  }

  #violation(violation: string): void {
    this.#fail(`protocol violation: peer ${violation}`, new CarrierProtocolError(this.peer, violation), true);
  }

  #fail(reason: string, error: Error, byPeer: boolean): void {
    if (this.#closeReason !== undefined) return;
    this.#end({ reason, byPeer, error }, true);
    this.#release(reason);
  }

  #end(event: CarrierCloseEvent, discardPending: boolean): void {
    if (this.#closeReason !== undefined) return;
    this.#closeReason = event.reason;
    this.#inbox.end(event, discardPending);
  }

  /** Tells the peer (unless it closed first: `reason` undefined), stops listening, and closes the port when it is one. */
  #release(reason: string | undefined): void {
    this.#unlisten();
    try {
      if (reason !== undefined) this.#port.postMessage({ [CLOSE_TAG]: reason.slice(0, MAX_REASON_LENGTH) } satisfies CloseMessage, []);
    } catch {
      // The port is gone already (a terminated worker): the peer learns from its own close event or keep-alive.
    }
    if (typeof this.#port.close === "function" && (this.#port as unknown) !== globalThis) this.#port.close();
  }
}

/** What the carrier hears from its port. */
interface PortEvents {
  message(data: unknown): void;
  messageError(): void;
  /** The platform says the other end is gone (a port's close, a worker's exit). */
  gone(reason: string): void;
}

/**
 * Listens to `port`'s events, preferring `on` where there is one (Node: no event object per message);
 * returns the function that stops listening.
 */
function listen(port: MessagePortLike, events: PortEvents): () => void {
  const onMessageError = (): void => events.messageError();
  const onClose = (): void => events.gone("the port closed");
  let stop: () => void;
  if (typeof port.on === "function") {
    const listeners: ReadonlyArray<readonly [string, (value: unknown) => void]> = [
      ["message", (value) => events.message(value)],
      ["messageerror", onMessageError],
      ["close", onClose],
      ["exit", () => events.gone("the worker exited")],
    ];
    for (const [type, listener] of listeners) port.on(type, listener);
    stop = () => {
      for (const [type, listener] of listeners) port.off?.(type, listener);
    };
  } else {
    const listeners: ReadonlyArray<readonly [string, (event: object) => void]> = [
      ["message", (event) => events.message((event as { readonly data?: unknown }).data)],
      ["messageerror", onMessageError],
      ["close", onClose],
    ];
    for (const [type, listener] of listeners) port.addEventListener?.(type, listener);
    port.start?.();
    stop = () => {
      for (const [type, listener] of listeners) port.removeEventListener?.(type, listener);
    };
  }
  let listening = true;
  return () => {
    if (!listening) return;
    listening = false;
    stop();
  };
}

/** The reason of the carrier's own close message, or undefined when `data` is not one. */
function closeReason(data: unknown): string | undefined {
  if (typeof data !== "object" || data === null || Array.isArray(data)) return undefined;
  const keys = Object.keys(data);
  const reason = (data as Partial<CloseMessage>)[CLOSE_TAG];
  if (keys.length !== 1 || typeof reason !== "string" || reason.length > MAX_REASON_LENGTH) return undefined;
  return reason;
}

/** The type of a message that is not the carrier's, for the violation: "string", "Object", "ArrayBuffer"... */
function typeName(data: unknown): string {
  return typeof data === "object" && data !== null ? Object.prototype.toString.call(data).slice(8, -1) : typeof data;
}
