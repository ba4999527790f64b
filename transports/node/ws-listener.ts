import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from "node:http";
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";
import type { Duplex } from "node:stream";
import { Server as TlsServer, type TLSSocket } from "node:tls";
import { type ServerOptions, WebSocketServer } from "ws";
import type { Carrier } from "../carrier.js";
import { originCheck } from "./allowed-origins.js";
import { answerAndClose } from "./answer-and-close.js";
import type { ConnectionRefusal, RefusalCounts, RefusalReason } from "./connection-refusal.js";
import { limitedWebSocket } from "./limited-web-socket.js";
import { ListenError } from "./listen-error.js";
import { TlsOptionsError } from "./tls-options-error.js";
import type { UpgradeRequest } from "./upgrade-request.js";
import { wrapWebSocket } from "../websocket-carrier.js";

/** A TLS certificate and its private key, PEM text (the certificate may be followed by its chain). */
export interface ListenerTls {
  readonly cert: string | Uint8Array;
  readonly key: string | Uint8Array;
}

/** Options of `listenWebSocket`. */
export interface WebSocketListenerOptions {
  /** Interface to bind (default "127.0.0.1": only this machine can connect). */
  readonly host?: string;
  /**
   * Port to bind; 0 lets the system pick a free one (read it back from `listener.port`). Required
   * unless `server` is given, and not given with it.
   */
  readonly port?: number;
  /**
   * Serve `wss://`: the listener binds an HTTPS server with this certificate and key. Not given with
   * `server` (an `https` server brings its own).
   */
  readonly tls?: ListenerTls;
  /**
   * Answers plain HTTP requests (not upgrades) on the port the listener binds, e.g. a health check or
   * metrics beside the WebSocket endpoint (default: every one is answered 426). Each is answered with
   * `connection: close`, and its socket counts among `maxPendingUpgrades` until it closes; one not
   * answered within `upgradeTimeoutMs` of connecting is cut off. A throw is answered 500. Not given
   * with `server`, whose own request handlers answer.
   */
  readonly onRequest?: (request: IncomingMessage, response: ServerResponse) => void;
  /**
   * Attach to this existing `http` or `https` server instead of binding a port, sharing it with a web
   * app: the listener takes the WebSocket upgrades (to `path`, when given) and leaves plain requests
   * alone. If the server does not listen yet, `listenWebSocket` resolves once it does. The server's
   * sockets are its own: `maxPendingUpgrades` and `upgradeTimeoutMs` do not apply (use the server's
   * `headersTimeout` and `requestTimeout`), and `close()` leaves the server open.
   */
  readonly server?: HttpServer | HttpsServer;
  /**
   * Accept upgrades only on this path (default: any path). An upgrade to another path is answered 400,
   * except on an attached `server` with other `upgrade` listeners: there it is left to them.
   */
  readonly path?: string;
  /**
   * Browser origins allowed to open connections, e.g. `["https://app.example.com"]` (default: any).
   * An upgrade whose Origin header is not listed is answered 403 and reported as an `allowedOrigins`
   * refusal; an upgrade without Origin (not from a browser) passes.
   */
  readonly allowedOrigins?: readonly string[];
  /**
   * Largest accepted message in bytes; a bigger one closes that connection with a MessageTooLargeError
   * before it is buffered (default DEFAULT_MAX_PAYLOAD). hakuban's `listen` passes its binding's
   * `maxMessageBytes`.
   */
  readonly maxPayload?: number;
  /**
   * How long a closing connection waits for the peer's answer to the close handshake before cutting it
   * off, whether one connection closes or close() closes them all (default 1000 ms).
   */
  readonly closeGraceMs?: number;
  /**
   * Most WebSocket connections open at once (default 10 000). An upgrade beyond it is answered
   * 503 with Retry-After, before any WebSocket state is made, and reported as a refusal.
   */
  readonly maxConnections?: number;
  /**
   * Most sockets connected but not yet upgraded (default 1000). A socket beyond it is closed as soon
   * as it connects, so idle sockets cannot use up the process' file descriptors.
   */
  readonly maxPendingUpgrades?: number;
  /**
   * A socket that has not completed its WebSocket upgrade request this many milliseconds after it
   * connected is answered 408 and closed (default 5000 ms).
   */
  readonly upgradeTimeoutMs?: number;
  /** Told of every connection turned away (see RefusalReason); must not throw. Default: nowhere. */
  readonly onRefusal?: (refusal: ConnectionRefusal) => void;
}

/** A running WebSocket server that turns every accepted connection into a carrier. */
export interface WebSocketListener {
  /** The bound port (the picked one when 0 was asked for), or the attached server's. */
  readonly port: number;
  /** A URL peers can dial, e.g. "ws://127.0.0.1:3001", or "wss://…" when TLS is served. */
  readonly url: string;
  /** WebSocket connections open now (the ones `maxConnections` limits). */
  readonly connections: number;
  /** Sockets connected and not upgraded yet (the ones `maxPendingUpgrades` limits). */
  readonly pendingUpgrades: number;
  /** Connections turned away since the listener started, by reason. */
  readonly refused: RefusalCounts;
  /**
   * Stops accepting, closes every accepted carrier, and resolves once every socket is released (the
   * WebSocket connections only, on an attached server, which stays open).
   */
  close(): Promise<void>;
}

/**
 * Default `maxPayload` of Node WebSocket carriers used on their own, without a binding. hakuban's
 * `listen` and `connect` never use it: they pass their binding's `maxMessageBytes`.
 */
export const DEFAULT_MAX_PAYLOAD = 64 * 1024 * 1024;

/** Defaults of the listener's connection limits (see WebSocketListenerOptions). */
export const LISTENER_LIMIT_DEFAULTS = Object.freeze({
  maxConnections: 10_000,
  maxPendingUpgrades: 1_000,
  upgradeTimeoutMs: 5_000,
});

/** Seconds a peer refused over maxConnections is told to wait (Retry-After). */
const RETRY_AFTER_SECONDS = 10;

/**
 * Listens for WebSocket connections (Node only) and hands each one to `onCarrier` as a carrier, with
 * what was seen of its upgrade request. It binds a port (an HTTPS one with `tls`), or attaches to an
 * existing `server`. Bounds what peers can hold: open connections, sockets that have not upgraded yet
 * and how long they may take, and the size of one message; refuses browsers from origins not in
 * `allowedOrigins`. Compression is left to the layers above (permessage-deflate is off). Rejects with
 * ListenError when the address cannot be bound (or the attached server fails to listen),
 * TlsOptionsError for an unusable certificate or key, RangeError for a bad option.
 */
export async function listenWebSocket(
  options: WebSocketListenerOptions,
  onCarrier: (carrier: Carrier, request: UpgradeRequest) => void,
): Promise<WebSocketListener> {
  const host = options.host ?? "127.0.0.1";
  const attached = options.server;
  if (attached === undefined) {
    if (options.port === undefined || !Number.isInteger(options.port) || options.port < 0 || options.port > 65_535) {
      throw new RangeError(`listenWebSocket: port must be an integer from 0 to 65535 (0 picks a free one), got ${options.port}.`);
    }
  } else if (options.port !== undefined || options.tls !== undefined || options.host !== undefined || options.onRequest !== undefined) {
    throw new RangeError(
      "listenWebSocket: give server, or port (with host, tls and onRequest), not both: an attached server has its own address, TLS and request handlers.",
    );
  }
  const maxPayload = positiveInteger("maxPayload", options.maxPayload ?? DEFAULT_MAX_PAYLOAD);
  const maxConnections = positiveInteger("maxConnections", options.maxConnections ?? LISTENER_LIMIT_DEFAULTS.maxConnections);
  const maxPendingUpgrades = positiveInteger(
    "maxPendingUpgrades",
    options.maxPendingUpgrades ?? LISTENER_LIMIT_DEFAULTS.maxPendingUpgrades,
  );
  const upgradeTimeoutMs = positiveInteger("upgradeTimeoutMs", options.upgradeTimeoutMs ?? LISTENER_LIMIT_DEFAULTS.upgradeTimeoutMs);
  const closeGraceMs = options.closeGraceMs ?? 1000;
  const onRefusal = options.onRefusal ?? (() => {});
  const originAllowed = originCheck(options.allowedOrigins);
  const http = attached ?? ownServer(options.tls, answerPlainRequest);
  const secure = http instanceof TlsServer;
  const scheme = secure ? "wss" : "ws";

  /** Every accepted socket's peer, captured at accept: once a socket is gone, its address is too. */
  const peers = new WeakMap<Duplex, { readonly peer: string; readonly remoteAddress: string | undefined }>();
  /**
   * Sockets not upgraded yet, by their peer: a TLS socket and the TCP socket under it share the
   * address, so the upgrade, which comes on the TLS socket, finds the entry its TCP socket made.
   */
  const pending = new Map<string, Pending>();
  const carriers = new Set<Carrier>();
  const refused: Record<RefusalReason, number> = {
    maxConnections: 0,
    maxPendingUpgrades: 0,
    upgradeTimeoutMs: 0,
    badRequest: 0,
    allowedOrigins: 0,
  };
  let connections = 0;
  let closing: Promise<void> | undefined;
  /** Resolves the wait of close() for the last WebSocket connection to end. */
  let allClosed: (() => void) | undefined;

  const peerOf = (socket: Duplex): { readonly peer: string; readonly remoteAddress: string | undefined } => {
    let seen = peers.get(socket);
    if (seen === undefined) {
      const { remoteAddress, remotePort } = socket as Socket;
      seen = { peer: `${scheme}://${hostForUrl(remoteAddress ?? "?")}:${remotePort ?? 0}`, remoteAddress };
      peers.set(socket, seen);
    }
    return seen;
  };
  const refuse = (socket: Duplex, reason: RefusalReason, detail: string): void => {
    refused[reason]++;
    onRefusal({ reason, peer: peerOf(socket).peer, detail });
  };
  /**
   * The socket upgraded, was answered or is gone: it no longer counts as pending, and nothing of its
   * pending entry (the deadline, the close listener and what they hold) stays with the connection.
   */
  const settle = (socket: Duplex): void => {
    const key = peerOf(socket).peer;
    const entry = pending.get(key);
    if (entry === undefined || (entry.raw !== socket && entry.http !== socket)) return;
    clearTimeout(entry.timer);
    entry.raw.off("close", entry.onClose);
    pending.delete(key);
  };

  if (attached === undefined) {
    http.on("connection", (socket: Socket) => {
      const { peer } = peerOf(socket);
      if (pending.size >= maxPendingUpgrades) {
        refuse(socket, "maxPendingUpgrades", `closed at once: ${maxPendingUpgrades} connections are waiting to upgrade (maxPendingUpgrades)`);
        socket.destroy();
        return;
      }
      const entry: Pending = {
        raw: socket,
        http: secure ? undefined : socket,
        answering: false,
        onClose: () => settle(socket),
        timer: setTimeout(() => {
          settle(socket);
          if (entry.answering) {
            refuse(socket, "upgradeTimeoutMs", `closed: its HTTP request was not answered within ${upgradeTimeoutMs} ms of connecting (upgradeTimeoutMs)`);
            socket.destroy();
            return;
          }
          if (entry.http === undefined) {
            refuse(socket, "upgradeTimeoutMs", `closed: no TLS handshake and WebSocket upgrade within ${upgradeTimeoutMs} ms (upgradeTimeoutMs)`);
            socket.destroy();
            return;
          }
          refuse(socket, "upgradeTimeoutMs", `answered 408: no WebSocket upgrade within ${upgradeTimeoutMs} ms (upgradeTimeoutMs)`);
          answerAndClose(entry.http, 408, `No WebSocket upgrade within ${upgradeTimeoutMs} ms.\n`);
        }, upgradeTimeoutMs),
      };
      // A socket gone from the same address and port, whose close has not been seen yet, is replaced.
      clearTimeout(pending.get(peer)?.timer);
      pending.set(peer, entry);
      socket.once("close", entry.onClose);
    });
    http.on("secureConnection", (socket: TLSSocket) => {
      const entry = pending.get(peerOf(socket).peer);
      if (entry !== undefined) entry.http = socket;
    });
    http.on("tlsClientError", (error: Error & { code?: string }, socket: TLSSocket) => {
      settle(socket);
      if (error.code === "ECONNRESET") return;
      const detail =
        error.code === "ERR_SSL_HTTP_REQUEST"
          ? "closed: a plain HTTP request on this TLS port (the client should dial wss://)"
          : `closed: the TLS handshake failed (${error.message})`;
      refuse(socket, "badRequest", detail);
    });
    http.on("clientError", (error: Error & { code?: string }, socket: Duplex) => {
      settle(socket);
      // A peer that reset its connection needs no answer and was not refused; it is simply gone.
      if (error.code === "ECONNRESET" || !socket.writable) {
        socket.destroy();
        return;
      }
      const status = error.code === "HPE_HEADER_OVERFLOW" ? 431 : 400;
      refuse(socket, "badRequest", `answered ${status}: malformed HTTP (${error.code ?? error.message})`);
      answerAndClose(socket, status, "Malformed HTTP request.\n");
    });
    await bind(http, host, options.port ?? 0);
  } else if (!attached.listening) {
    await listening(attached);
  }

  // closeTimeout (known to ws, missing from its types): a peer that never answers a close, such as one
  // cut off for a message over maxPayload, holds its connection closeGraceMs, not ws' 30 s.
  const serverOptions: ServerOptions & { readonly closeTimeout: number } = {
    noServer: true,
    maxPayload,
    perMessageDeflate: false,
    WebSocket: limitedWebSocket(maxPayload),
    closeTimeout: closeGraceMs,
  };
  const server = new WebSocketServer(serverOptions);
  // An upgrade request ws cannot accept (no key, a wrong version or method): answered here, so it is
  // reported like every other refusal.
  server.on("wsClientError", (error: Error, socket: Duplex) => {
    refuse(socket, "badRequest", `answered 400: ${error.message}`);
    answerAndClose(socket, 400, `${error.message}.\n`);
  });

  /**
   * A plain request on the listener's own server: onRequest answers it (426 without one), on a socket
   * closed after the answer, which stays pending (bounded in number and time) until it is.
   */
  function answerPlainRequest(request: IncomingMessage, response: ServerResponse): void {
    const entry = pending.get(peerOf(request.socket).peer);
    if (entry !== undefined && entry.http === request.socket) entry.answering = true;
    response.setHeader("connection", "close");
    if (options.onRequest === undefined) {
      response.writeHead(426, { "content-type": "text/plain; charset=utf-8" }).end("This is a hakuban WebSocket endpoint.\n");
      return;
    }
    try {
      options.onRequest(request, response);
    } catch (error) {
      if (response.headersSent) response.destroy();
      else response.writeHead(500, { "content-type": "text/plain; charset=utf-8" }).end(`The request handler failed: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const path = pathOf(request);
    if (options.path !== undefined && path !== options.path) {
      // On a shared server, another handler may take it.
      if (attached !== undefined && attached.listenerCount("upgrade") > 1) return;
      settle(socket);
      refuse(socket, "badRequest", `answered 400: asked to upgrade ${path}, this listener upgrades ${options.path} only`);
      answerAndClose(socket, 400, `WebSocket upgrades are accepted on ${options.path} only.\n`);
      return;
    }
    settle(socket);
    if (closing !== undefined) {
      answerAndClose(socket, 503, "The listener is closing.\n");
      return;
    }
    const origin = request.headers.origin;
    if (!originAllowed(origin)) {
      refuse(socket, "allowedOrigins", `answered 403: origin ${JSON.stringify(origin)} is not in allowedOrigins`);
      answerAndClose(socket, 403, "This origin may not open WebSocket connections here.\n");
      return;
    }
    if (connections >= maxConnections) {
      refuse(socket, "maxConnections", `answered 503: ${maxConnections} WebSocket connections are open (maxConnections)`);
      answerAndClose(socket, 503, "Too many connections; try again later.\n", { "Retry-After": String(RETRY_AFTER_SECONDS) });
      return;
    }
    const { peer, remoteAddress } = peerOf(socket);
    const upgrade: UpgradeRequest = Object.freeze({
      headers: Object.freeze({ ...request.headers }),
      remoteAddress,
      url: request.url ?? "/",
    });
    server.handleUpgrade(request, socket, head, (webSocket) => {
      connections++;
      const carrier = wrapWebSocket(webSocket, { peer });
      carriers.add(carrier);
      webSocket.once("close", () => {
        connections--;
        carriers.delete(carrier);
        if (connections === 0) allClosed?.();
      });
      try {
        onCarrier(carrier, upgrade);
      } catch (error) {
        carrier.close(`the listener's carrier callback threw: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
  };
  http.on("upgrade", onUpgrade);

  const address = http.address() as AddressInfo;
  const port = address.port;
  const urlHost = attached === undefined ? host : address.address;
  const url = `${scheme}://${hostForUrl(urlHost)}:${port}${options.path ?? ""}`;

  /** Closes the WebSocket connections, cutting off the ones that do not answer within closeGraceMs. */
  const closeConnections = (): Promise<void> => {
    for (const carrier of carriers) carrier.close("listener closed");
    if (connections === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        for (const socket of server.clients) socket.terminate();
      }, closeGraceMs);
      allClosed = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  };

  return {
    port,
    url,
    get connections() {
      return connections;
    },
    get pendingUpgrades() {
      return pending.size;
    },
    get refused() {
      return { ...refused };
    },
    close: () =>
      (closing ??= (async () => {
        server.close();
        if (attached !== undefined) {
          attached.off("upgrade", onUpgrade);
          await closeConnections();
          return;
        }
        const httpClosed = new Promise<void>((resolve) => http.close(() => resolve()));
        for (const { raw } of [...pending.values()]) {
          settle(raw);
          raw.destroy();
        }
        http.closeIdleConnections();
        await closeConnections();
        http.closeAllConnections();
        await httpClosed;
      })()),
  };
}

/** A socket connected to a listener's own server and not upgraded yet. */
interface Pending {
  /** The TCP socket. */
  readonly raw: Socket;
  /** The socket HTTP is spoken on: the TCP socket, or the TLS socket over it once its handshake is done. */
  http: Duplex | undefined;
  /** A plain HTTP request came on it and is being answered (onRequest); the socket closes after the answer. */
  answering: boolean;
  /** Its upgrade deadline. */
  readonly timer: ReturnType<typeof setTimeout>;
  /** Settles it when the socket closes first; taken off the socket once it is settled. */
  readonly onClose: () => void;
}

/** The server a listener binds itself: HTTPS with `tls`, plain HTTP without; `answer` answers its plain requests. */
function ownServer(tls: ListenerTls | undefined, answer: (request: IncomingMessage, response: ServerResponse) => void): HttpServer | HttpsServer {
  if (tls === undefined) return createServer(answer);
  try {
    return createHttpsServer({ cert: pem(tls.cert), key: pem(tls.key) }, answer);
  } catch (error) {
    throw new TlsOptionsError(
      `The TLS certificate or key cannot be used (${error instanceof Error ? error.message : String(error)}); pass the PEM text of the certificate (its chain after it) and of the private key that matches it.`,
      { cause: error },
    );
  }
}

/** PEM text as TLS takes it. */
function pem(value: string | Uint8Array): string {
  return typeof value === "string" ? value : new TextDecoder().decode(value);
}

/** Binds `http` to host:port, rejecting with ListenError when it cannot. */
function bind(http: HttpServer, host: string, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => {
      reject(new ListenError(`${hostForUrl(host)}:${port}`, error));
    };
    http.once("error", onError);
    http.listen(port, host, () => {
      http.off("error", onError);
      http.on("error", () => {
        // Once listening, the HTTP server's errors concern single connections, which fail on their
        // own sockets (clientError) and close their carriers.
      });
      resolve();
    });
  });
}

/** Resolves once an attached server listens; rejects with ListenError when it fails to. */
function listening(http: HttpServer): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => {
      http.off("listening", onListening);
      reject(new ListenError("the attached server's address", error));
    };
    const onListening = (): void => {
      http.off("error", onError);
      resolve();
    };
    http.once("error", onError);
    http.once("listening", onListening);
  });
}

/** The request's path without its query, as ws' own path check compares it. */
function pathOf(request: IncomingMessage): string {
  const url = request.url ?? "/";
  const query = url.indexOf("?");
  return query === -1 ? url : url.slice(0, query);
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`listenWebSocket: ${name} must be a whole number from 1 up, got ${value}.`);
  }
  return value;
}

/** Brackets IPv6 literals for use in a URL. */
function hostForUrl(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}
