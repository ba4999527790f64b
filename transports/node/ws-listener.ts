import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { Duplex } from "node:stream";
import { type ServerOptions, WebSocketServer } from "ws";
import type { Carrier } from "../carrier.js";
import { answerAndClose } from "./answer-and-close.js";
import type { ConnectionRefusal, RefusalCounts, RefusalReason } from "./connection-refusal.js";
import { limitedWebSocket } from "./limited-web-socket.js";
import { ListenError } from "./listen-error.js";
import { wrapWebSocket } from "../websocket-carrier.js";

/** Options of `listenWebSocket`. */
export interface WebSocketListenerOptions {
  /** Interface to bind (default "127.0.0.1": only this machine can connect). */
  readonly host?: string;
  /** Port to bind; 0 lets the system pick a free one (read it back from `listener.port`). */
  readonly port: number;
  /** Accept upgrades only on this path (default: any path); an upgrade elsewhere is answered 400. */
  readonly path?: string;
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
  /** The bound port (the picked one when 0 was asked for). */
  readonly port: number;
  /** A URL peers can dial, e.g. "ws://127.0.0.1:3001". */
  readonly url: string;
  /** WebSocket connections open now (the ones `maxConnections` limits). */
  readonly connections: number;
  /** Sockets connected and not upgraded yet (the ones `maxPendingUpgrades` limits). */
  readonly pendingUpgrades: number;
  /** Connections turned away since the listener started, by reason. */
  readonly refused: RefusalCounts;
  /** Stops accepting, closes every accepted carrier, and resolves once every socket is released. */
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
 * Listens for WebSocket connections (Node only) and hands each one to `onCarrier` as a carrier.
 * Bounds what peers can hold: open connections, sockets that have not upgraded yet and how long they
 * may take, and the size of one message. Compression is left to the layers above (permessage-deflate
 * is off). Rejects with ListenError when the address cannot be bound, RangeError for a bad option.
 */
export async function listenWebSocket(
  options: WebSocketListenerOptions,
  onCarrier: (carrier: Carrier) => void,
): Promise<WebSocketListener> {
  const host = options.host ?? "127.0.0.1";
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65_535) {
    throw new RangeError(`listenWebSocket: port must be an integer from 0 to 65535 (0 picks a free one), got ${options.port}.`);
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

  /** Every accepted socket's peer, captured at accept: once a socket is gone, its address is too. */
  const peers = new WeakMap<Duplex, string>();
  /** Sockets not upgraded yet, with their upgrade deadline. */
  const pending = new Map<Duplex, ReturnType<typeof setTimeout>>();
  const carriers = new Set<Carrier>();
  const refused: Record<RefusalReason, number> = { maxConnections: 0, maxPendingUpgrades: 0, upgradeTimeoutMs: 0, badRequest: 0 };
  let connections = 0;
  let closing: Promise<void> | undefined;

  const refuse = (socket: Duplex, reason: RefusalReason, detail: string): void => {
    refused[reason]++;
    onRefusal({ reason, peer: peers.get(socket) ?? UNKNOWN_PEER, detail });
  };
  /** The socket upgraded, was answered or is gone: it no longer counts as pending. */
  const settle = (socket: Duplex): void => {
    clearTimeout(pending.get(socket));
    pending.delete(socket);
  };

  const http = createServer((_request, response) => {
    response.writeHead(426, { "content-type": "text/plain", connection: "close" }).end("This is a hakuban WebSocket endpoint.\n");
  });
  http.on("connection", (socket: Socket) => {
    peers.set(socket, `ws://${hostForUrl(socket.remoteAddress ?? "?")}:${socket.remotePort ?? 0}`);
    if (pending.size >= maxPendingUpgrades) {
      refuse(socket, "maxPendingUpgrades", `closed at once: ${maxPendingUpgrades} connections are waiting to upgrade (maxPendingUpgrades)`);
      socket.destroy();
      return;
    }
    pending.set(
      socket,
      setTimeout(() => {
        settle(socket);
        refuse(socket, "upgradeTimeoutMs", `answered 408: no WebSocket upgrade within ${upgradeTimeoutMs} ms (upgradeTimeoutMs)`);
        answerAndClose(socket, 408, `No WebSocket upgrade within ${upgradeTimeoutMs} ms.\n`);
      }, upgradeTimeoutMs),
    );
    socket.once("close", () => settle(socket));
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

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => {
      reject(new ListenError(`${hostForUrl(host)}:${options.port}`, error));
    };
    http.once("error", onError);
    http.listen(options.port, host, () => {
      http.off("error", onError);
      http.on("error", () => {
        // Once listening, the HTTP server's errors concern single connections, which fail on their
        // own sockets (clientError) and close their carriers.
      });
      resolve();
    });
  });

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

  http.on("upgrade", (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    settle(socket);
    if (closing !== undefined) {
      answerAndClose(socket, 503, "The listener is closing.\n");
      return;
    }
    const path = pathOf(request);
    if (options.path !== undefined && path !== options.path) {
      refuse(socket, "badRequest", `answered 400: asked to upgrade ${path}, this listener upgrades ${options.path} only`);
      answerAndClose(socket, 400, `WebSocket upgrades are accepted on ${options.path} only.\n`);
      return;
    }
    if (connections >= maxConnections) {
      refuse(socket, "maxConnections", `answered 503: ${maxConnections} WebSocket connections are open (maxConnections)`);
      answerAndClose(socket, 503, "Too many connections; try again later.\n", { "Retry-After": String(RETRY_AFTER_SECONDS) });
      return;
    }
    server.handleUpgrade(request, socket, head, (webSocket) => {
      connections++;
      const carrier = wrapWebSocket(webSocket, { peer: peers.get(socket) ?? UNKNOWN_PEER });
      carriers.add(carrier);
      webSocket.once("close", () => {
        connections--;
        carriers.delete(carrier);
      });
      try {
        onCarrier(carrier);
      } catch (error) {
        carrier.close(`the listener's carrier callback threw: ${error instanceof Error ? error.message : String(error)}`);
      }
    });
  });

  const port = (http.address() as AddressInfo).port;
  return {
    port,
    url: `ws://${hostForUrl(host)}:${port}${options.path ?? ""}`,
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
      (closing ??= new Promise<void>((resolve) => {
        server.close();
        http.close(() => resolve());
        for (const socket of [...pending.keys()]) {
          settle(socket);
          socket.destroy();
        }
        http.closeIdleConnections();
        for (const carrier of carriers) carrier.close("listener closed");
        if (server.clients.size === 0) return;
        const timer = setTimeout(() => {
          for (const socket of server.clients) socket.terminate();
          http.closeAllConnections();
        }, closeGraceMs);
        http.once("close", () => clearTimeout(timer));
      })),
  };
}

/** The peer of a socket whose address was never seen (it cannot happen for an accepted socket). */
const UNKNOWN_PEER = "ws://?:0";

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
