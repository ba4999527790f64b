import type { Carrier, CarrierCloseEvent, CarrierHandlers } from "./carrier.js";
import { CarrierClosedError } from "./carrier-closed-error.js";
import { CarrierInbox } from "./carrier-inbox.js";
import { CarrierProtocolError } from "./carrier-protocol-error.js";
import { ConnectError } from "./connect-error.js";

/**
 * The part of the WHATWG WebSocket a carrier needs. The browser global and `ws`'s WebSocket (client
 * and server side) both provide it, so one carrier serves both worlds.
 */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  readonly bufferedAmount: number;
  readonly url?: string;
  send(data: Uint8Array<ArrayBuffer>): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: "open", listener: () => void): void;
  addEventListener(type: "message", listener: (event: { readonly data: unknown }) => void): void;
  addEventListener(type: "error", listener: (event: { readonly error?: unknown; readonly message?: string }) => void): void;
  addEventListener(
    type: "close",
    listener: (event: { readonly code: number; readonly reason: string; readonly wasClean: boolean }) => void,
  ): void;
}

/**
 * The events of Node's `ws` WebSocket as it emits them itself. A carrier listens to these when the
 * socket has them: `addEventListener` would wrap each listener in a function of its own and make a
 * WHATWG event object per message, which a router with thousands of connections pays for on every one.
 */
interface EmittingWebSocket {
  on(type: "message", listener: (data: unknown, isBinary: boolean) => void): void;
  on(type: "error", listener: (error: Error) => void): void;
  on(type: "close", listener: (code: number, reason: Uint8Array) => void): void;
}

/** A WebSocket constructor: `globalThis.WebSocket` in browsers, or a `ws` WebSocket (sub)class. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** Options of `wrapWebSocket`. */
export interface WebSocketCarrierOptions {
  /** Peer description for logs; defaults to the socket's URL. */
  readonly peer?: string;
}

/** Options of `dialWebSocket`. */
export interface DialWebSocketOptions {
  /** The WebSocket implementation; defaults to `globalThis.WebSocket`. */
  readonly WebSocket?: WebSocketConstructor;
  /** Give up when the socket is not open after this many milliseconds (default 10 000). */
  readonly timeoutMs?: number;
  /** Aborts the dial: the promise rejects with ConnectError and the half-open socket is closed. */
  readonly signal?: AbortSignal;
}

const OPEN = 1;
const CLOSE_NORMAL = 1000;
/** Application close code for a carrier that failed (protocol violation, consumer failure). */
const CLOSE_CARRIER_FAILED = 4000;
/** RFC 6455 limits a close reason to 123 bytes of UTF-8. */
const MAX_REASON_BYTES = 123;

/**
 * Makes a carrier of an open WebSocket. The carrier owns the socket from now on: it sets
 * `binaryType` ("nodebuffer" for `ws`, whose buffers are Uint8Arrays, else "arraybuffer"), treats text
 * frames as a protocol violation, and closes the socket when closed. A socket that is no longer open gives an already closed carrier.
 */
export function wrapWebSocket(socket: WebSocketLike, options: WebSocketCarrierOptions = {}): Carrier {
  return new WebSocketCarrier(socket, options.peer ?? socket.url ?? "websocket");
}

/**
 * Opens a WebSocket to `url` and resolves with its carrier once open; rejects with ConnectError when
 * the connection fails or does not open within `timeoutMs`. Works in browsers and, given `ws`'s
 * WebSocket, in Node.
 */
export function dialWebSocket(url: string, options: DialWebSocketOptions = {}): Promise<Carrier> {
  const Ctor = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  const timeoutMs = options.timeoutMs ?? 10_000;
  return new Promise<Carrier>((resolve, reject) => {
    if (Ctor === undefined) {
      reject(new ConnectError(url, "no WebSocket implementation here; pass one as options.WebSocket"));
      return;
    }
    let socket: WebSocketLike;
    try {
      socket = new Ctor(url);
      socket.binaryType = "arraybuffer";
    } catch (cause) {
      reject(new ConnectError(url, cause instanceof Error ? cause.message : String(cause), { cause }));
      return;
    }
    const { signal } = options;
    let settled = false;
    let failure: { reason: string; cause?: unknown } | undefined;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", abort);
      return true;
    };
    const fail = (reason: string, cause?: unknown): void => {
      if (settle()) reject(new ConnectError(url, reason, { cause }));
    };
    const giveUp = (reason: string, cause?: unknown): void => {
      fail(reason, cause);
      socket.close();
    };
    const abort = (): void => giveUp("the dial was aborted", signal?.reason);
    const timer = setTimeout(() => giveUp(`no answer within ${timeoutMs} ms`), timeoutMs);
    signal?.addEventListener("abort", abort, { once: true });
    if (signal?.aborted) abort();
    socket.addEventListener("open", () => {
      if (settle()) resolve(wrapWebSocket(socket, { peer: url }));
    });
    socket.addEventListener("error", (event) => {
      failure ??= { reason: event.message || "connection failed", cause: event.error };
    });
    socket.addEventListener("close", (event) => {
      fail(failure?.reason ?? `closed during the handshake (code ${event.code}${event.reason ? `: ${event.reason}` : ""})`, failure?.cause);
    });
  });
}

/** A carrier over one WebSocket. */
class WebSocketCarrier implements Carrier {
  readonly peer: string;
  readonly #socket: WebSocketLike;
  readonly #inbox: CarrierInbox;
  #closeReason: string | undefined;
  /** The first error the socket or the carrier ran into, reported with the close. */
  #error: Error | undefined;

  constructor(socket: WebSocketLike, peer: string) {
    this.peer = peer;
    this.#socket = socket;
    this.#inbox = new CarrierInbox(peer, (error) => this.#failLocally(`message handler threw: ${error.message}`, error));
    if (isEmitting(socket)) {
      // `ws` hands over its own buffers (Uint8Arrays) as they are, not copied into an ArrayBuffer per
      // message. A text frame goes on as a string, which #receive refuses as a browser socket's would be.
      socket.binaryType = "nodebuffer";
      socket.on("message", (data, isBinary) => this.#receive(isBinary ? data : ""));
      socket.on("error", (error) => this.#failed(error, error.message));
      socket.on("close", (code, reason) => this.#closedByPeer(code, utf8.decode(reason)));
    } else {
      socket.binaryType = "arraybuffer";
      socket.addEventListener("message", (event) => this.#receive(event.data));
      socket.addEventListener("error", (event) => this.#failed(event.error, event.message));
      socket.addEventListener("close", (event) => this.#closedByPeer(event.code, event.reason));
    }
    if (socket.readyState !== OPEN) this.#end({ reason: "the WebSocket was not open", byPeer: true }, false);
  }

  /** The socket ran into `error` (what a browser tells: only `message`); the first one is reported with the close. */
  #failed(error: unknown, message: string | undefined): void {
    this.#error ??= error instanceof Error ? error : new Error(message || "WebSocket error");
  }

  #closedByPeer(code: number, closeReason: string): void {
    const error = this.#error;
    const reason = error?.message ?? (closeReason || `closed by peer (code ${code})`);
    this.#end(error === undefined ? { reason, byPeer: true } : { reason, byPeer: true, error }, false);
  }

  get state(): "open" | "closed" {
    return this.#closeReason === undefined ? "open" : "closed";
  }

  get bufferedAmount(): number {
    return this.#socket.bufferedAmount;
  }

  attach(handlers: CarrierHandlers): void {
    this.#inbox.attach(handlers);
  }

  send(bytes: Uint8Array): void {
    if (this.#closeReason !== undefined) throw new CarrierClosedError(this.peer, this.#closeReason);
    // WebSockets cannot send views of shared memory; carriers are only handed ordinary buffers.
    this.#socket.send(bytes as Uint8Array<ArrayBuffer>);
  }

  close(reason?: string): void {
    if (this.#closeReason !== undefined) return;
    this.#end({ reason: reason ?? "closed", byPeer: false }, true);
    this.#socket.close(CLOSE_NORMAL, truncateReason(reason ?? ""));
  }

  #receive(data: unknown): void {
    if (this.#closeReason !== undefined) return;
    // Not `instanceof`: a socket may hand over buffers of another realm (an iframe, a test sandbox).
    if (data instanceof ArrayBuffer || Object.prototype.toString.call(data) === "[object ArrayBuffer]") {
      this.#inbox.message(new Uint8Array(data as ArrayBuffer));
      return;
    }
    if (data instanceof Uint8Array || Object.prototype.toString.call(data) === "[object Uint8Array]") {
      // A plain view of `ws`'s buffer (no copy), so that what a carrier hands over is the same everywhere.
      const view = data as Uint8Array;
      this.#inbox.message(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
      return;
    }
    const violation = typeof data === "string" ? "sent a text frame" : "sent a message that is not binary";
    const error = new CarrierProtocolError(this.peer, violation);
    this.#end({ reason: `protocol violation: peer ${violation}`, byPeer: true, error }, true);
    this.#socket.close(CLOSE_CARRIER_FAILED, truncateReason(`protocol violation: ${violation}`));
  }

  #failLocally(reason: string, error: Error): void {
    if (this.#closeReason !== undefined) return;
    this.#end({ reason, byPeer: false, error }, true);
    this.#socket.close(CLOSE_CARRIER_FAILED, truncateReason(reason));
  }

  #end(event: CarrierCloseEvent, discardPending: boolean): void {
    if (this.#closeReason !== undefined) return;
    this.#closeReason = event.reason;
    this.#inbox.end(event, discardPending);
  }
}

const encoder = new TextEncoder();
const utf8 = new TextDecoder();

/** Whether `socket` emits its events itself (Node's `ws`), not only through addEventListener. */
function isEmitting(socket: WebSocketLike): socket is WebSocketLike & EmittingWebSocket {
  return typeof (socket as Partial<EmittingWebSocket>).on === "function";
}

/** Cuts a close reason to what a close frame can carry, on a character boundary. */
function truncateReason(reason: string): string {
  if (encoder.encode(reason).byteLength <= MAX_REASON_BYTES) return reason;
  let cut = reason.slice(0, MAX_REASON_BYTES - 1);
  while (encoder.encode(`${cut}…`).byteLength > MAX_REASON_BYTES) cut = cut.slice(0, -1);
  return `${cut}…`;
}
