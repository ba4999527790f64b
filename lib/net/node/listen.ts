import { createSessionMux, type SessionMuxOptions } from "../../../bindings/session-mux.js";
import type { Carrier } from "../../../transports/carrier.js";
import { listenWebSocket, type WebSocketListener } from "../../../transports/node/ws-listener.js";
import type { ConnectionLog } from "../connection-log.js";
import type { LocalNode } from "../../local-node/local-node.js";
import { NodeClosedError } from "../../local-node/node-closed-error.js";
import { DownstreamLink } from "../../sync/downstream-link.js";
import type { LinkOptions } from "../../sync/link-options.js";
import { describeTraffic } from "../traffic-summary.js";

/** Options of `listen`: where to accept children, and the settings of their links. */
export interface ListenOptions extends LinkOptions {
  /** Interface to bind (default "127.0.0.1": only this machine can connect; "0.0.0.0" for every interface). */
  readonly host?: string;
  /** Port to bind; 0 lets the system pick a free one (read it back from `listener.port`). */
  readonly port: number;
  /** Accept connections only on this URL path (default: any path). */
  readonly path?: string;
  /** Largest accepted WebSocket message in bytes (default 64 MiB). */
  readonly maxPayload?: number;
  /** Codec, compression and limits of each connection; children must use compatible ones. */
  readonly mux?: SessionMuxOptions;
  /**
   * A connection that has not introduced itself (the link protocol's Hello) after this many milliseconds
   * is dropped (default: the links' `deadAfterMs`, 3 × `keepAliveMs`, 15 000 ms).
   */
  readonly helloTimeoutMs?: number;
  /** Where one line per connection event goes (accepted, closed, failures, the links' own events). Default: nowhere. */
  readonly log?: ConnectionLog;
}

/** A running listener: children connect to `url`. Made by `listen`. */
export interface Listener {
  /** The bound port (the picked one when 0 was asked for). */
  readonly port: number;
  /** The URL children dial, e.g. "ws://127.0.0.1:3001". */
  readonly url: string;
  /** How many children are linked right now. */
  readonly links: number;
  /**
   * Says goodbye to every child, stops accepting and releases the socket; resolves once all is
   * released. Calling it again returns the same promise.
   */
  close(): Promise<void>;
}

/**
 * Accepts child nodes over WebSocket (Node only) and links each one into `node`: the node becomes their
 * parent in the tree. A child that misbehaves (garbage bytes, a protocol violation, silence) is
 * disconnected with one log line; the others keep being served. `node.close()` closes the listener too.
 * Rejects with NodeClosedError on a closed node (before binding anything), with ListenError when the
 * address cannot be bound (`systemCode` says why), with RangeError for a port outside 0–65535.
 */
export async function listen(node: LocalNode, options: ListenOptions): Promise<Listener> {
  if (node.isClosed) throw new NodeClosedError("listen()");
  const log = options.log ?? (() => {});
  // The link drivers' own lines detail the lines logged here.
  const linkOptions: LinkOptions = { ...options, log: (line) => log(line, "debug") };
  const helloTimeoutMs = options.helloTimeoutMs ?? options.deadAfterMs ?? 3 * (options.keepAliveMs ?? 5_000);
  const links = new Set<DownstreamLink>();
  let closing: Promise<void> | undefined;
  let detach: () => void = () => {};

  const accept = (carrier: Carrier): void => {
    if (closing !== undefined || node.isClosed) {
      carrier.close("the listener is closing");
      return;
    }
    log(`accepted ${carrier.peer}`, "debug");
    const mux = createSessionMux(carrier, options.mux);
    const link = new DownstreamLink(node, mux, linkOptions, (name) => log(`child "${name}" linked (${carrier.peer})`, "info"));
    links.add(link);
    const helloTimer = setTimeout(() => {
      if (link.peerName === undefined) void link.close(`no Hello within ${helloTimeoutMs} ms`);
    }, helloTimeoutMs);
    void link.closed.then((error) => {
      clearTimeout(helloTimer);
      links.delete(link);
      mux.close(error);
      const who = link.peerName === undefined ? carrier.peer : `"${link.peerName}" (${carrier.peer})`;
      if (error === undefined) log(`child ${who} closed`, "info");
      else log(`child ${who} disconnected: ${error.message}`, "warn");
      log(`child ${who}: the connection carried ${describeTraffic(mux.stats)}`, "debug");
    });
  };

  const server: WebSocketListener = await listenWebSocket(
    {
      port: options.port,
      ...(options.host === undefined ? {} : { host: options.host }),
      ...(options.path === undefined ? {} : { path: options.path }),
      ...(options.maxPayload === undefined ? {} : { maxPayload: options.maxPayload }),
    },
    accept,
  );

  const listener: Listener = {
    port: server.port,
    url: server.url,
    get links() {
      return links.size;
    },
    close: () =>
      (closing ??= (async () => {
        detach();
        await Promise.allSettled([...links].map((link) => link.close("the parent's listener is closing")));
        await server.close();
        log(`stopped listening on ${server.url}`, "info");
      })()),
  };
  try {
    detach = node.adoptLink(listener);
  } catch (error) {
    await server.close();
    throw error;
  }
  log(`listening on ${server.url}`, "info");
  return listener;
}
