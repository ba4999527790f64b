import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import type { Carrier } from "../carrier.js";
import { ListenError } from "./listen-error.js";
import { wrapWebSocket } from "../websocket-carrier.js";

/** Options of `listenWebSocket`. */
export interface WebSocketListenerOptions {
  /** Interface to bind (default "127.0.0.1": only this machine can connect). */
  readonly host?: string;
  /** Port to bind; 0 lets the system pick a free one (read it back from `listener.port`). */
  readonly port: number;
  /** Accept upgrades only on this path (default: any path). */
  readonly path?: string;
  /** Largest accepted message in bytes; a bigger one closes that connection (default 64 MiB). */
  readonly maxPayload?: number;
  /** How long close() lets peers answer the close handshake before cutting them off (default 1000 ms). */
  readonly closeGraceMs?: number;
}

/** A running WebSocket server that turns every accepted connection into a carrier. */
export interface WebSocketListener {
  /** The bound port (the picked one when 0 was asked for). */
  readonly port: number;
  /** A URL peers can dial, e.g. "ws://127.0.0.1:3001". */
  readonly url: string;
  /** Stops accepting, closes every accepted carrier, and resolves once every socket is released. */
  close(): Promise<void>;
}

/** Default `maxPayload` of Node WebSocket carriers: large enough for big states, small enough to bound memory per message. */
export const DEFAULT_MAX_PAYLOAD = 64 * 1024 * 1024;

/**
 * Listens for WebSocket connections (Node only) and hands each one to `onCarrier` as a carrier.
 * Compression is left to the layers above (permessage-deflate is off).
 */
export async function listenWebSocket(
  options: WebSocketListenerOptions,
  onCarrier: (carrier: Carrier) => void,
): Promise<WebSocketListener> {
  const host = options.host ?? "127.0.0.1";
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65_535) {
    throw new RangeError(`listenWebSocket: port must be an integer from 0 to 65535 (0 picks a free one), got ${options.port}.`);
  }
  const closeGraceMs = options.closeGraceMs ?? 1000;
  const http = createServer((_request, response) => {
    response.writeHead(426, { "content-type": "text/plain" }).end("This is a hakuban WebSocket endpoint.\n");
  });
  const carriers = new Set<Carrier>();

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => {
      reject(new ListenError(`${hostForUrl(host)}:${options.port}`, error));
    };
    http.once("error", onError);
    http.listen(options.port, host, () => {
      http.off("error", onError);
      resolve();
    });
  });
  const server = new WebSocketServer({
    server: http,
    ...(options.path === undefined ? {} : { path: options.path }),
    maxPayload: options.maxPayload ?? DEFAULT_MAX_PAYLOAD,
    perMessageDeflate: false,
  });
  server.on("error", () => {
    // ws forwards the HTTP server's errors here; once listening they concern single connections,
    // which fail on their own sockets and close their carriers.
  });

  server.on("connection", (socket, request) => {
    const remote = request.socket;
    const carrier = wrapWebSocket(socket, { peer: `ws://${hostForUrl(remote.remoteAddress ?? "?")}:${remote.remotePort ?? 0}` });
    carriers.add(carrier);
    socket.on("close", () => carriers.delete(carrier));
    try {
      onCarrier(carrier);
    } catch (error) {
      carrier.close(`the listener's carrier callback threw: ${error instanceof Error ? error.message : String(error)}`);
    }
  });

  const port = (http.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    port,
    url: `ws://${hostForUrl(host)}:${port}${options.path ?? ""}`,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close();
        http.close(() => resolve());
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

/** Brackets IPv6 literals for use in a URL. */
function hostForUrl(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}
