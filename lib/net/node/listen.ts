import type { IncomingMessage, ServerResponse } from "node:http";
import type { SessionMuxOptions } from "../../../bindings/session-mux.js";
import { originCheck } from "../../../transports/node/allowed-origins.js";
import type { RefusalReason } from "../../../transports/node/connection-refusal.js";
import {
  LISTENER_LIMIT_DEFAULTS,
  type ListenerTls,
  listenWebSocket,
  type WebSocketListener,
  type WebSocketListenerOptions,
} from "../../../transports/node/ws-listener.js";
import { type ChildLinkOptions, ChildLinks, childLinkSettings } from "../child-links.js";
import type { LocalNode } from "../../local-node/local-node.js";
import { keepAliveTimes } from "../../sync/keep-alive.js";
import { DEFAULT_LINK_LIMITS, type LinkLimits, resolveLinkLimits } from "../../sync/link-limits.js";
import { ListenerLog } from "./listener-log.js";
import type { Policy } from "../../trust/policy.js";

/** Options of `listen`: where to accept children, how many, and the settings of their links. */
export interface ListenOptions extends ChildLinkOptions {
  /** Interface to bind (default "127.0.0.1": only this machine can connect; "0.0.0.0" for every interface). */
  readonly host?: string;
  /** Port to bind; 0 lets the system pick a free one (read it back from `listener.port`). Required unless `server` is given. */
  readonly port?: number;
  /** Serve `wss://` with this certificate and key (PEM), on the port bound. */
  readonly tls?: ListenerTls;
  /**
   * Attach to an existing `http` or `https` server instead of binding a port (sharing its port with a
   * web app): the listener takes its WebSocket upgrades (to `path` when given, leaving others to the
   * server's other `upgrade` listeners) and leaves plain requests alone. `listen` resolves once the server
   * listens. Its sockets stay its own: `maxPendingUpgrades` and `upgradeTimeoutMs` do not apply (set
   * the server's `headersTimeout` and `requestTimeout`), and closing the listener leaves it open.
   */
  readonly server?: WebSocketListenerOptions["server"];
  /** Accept connections only on this URL path (default: any path). */
  readonly path?: string;
  /**
   * Browser origins that may link, e.g. `["https://app.example.com"]` (default: any). A browser's
   * upgrade from another origin (cross-site WebSocket hijacking) is answered 403, logged, audited as
   * `refused` and counted in `refused.allowedOrigins`; clients that are not browsers send no Origin and pass.
   */
  readonly allowedOrigins?: readonly string[];
  /**
   * Codec, compression and limits of each connection; children must use compatible ones. The largest
   * WebSocket message accepted is the limits' `maxMessageBytes` (by default one 16 MiB frame with its
   * header): a bigger one closes that connection before it is buffered.
   */
  readonly mux?: SessionMuxOptions;
  /**
   * Most WebSocket connections at once, linked or still handshaking (default 10 000). One more is
   * answered HTTP 503 before any WebSocket state is made, and counted in `refused.maxConnections`.
   */
  readonly maxConnections?: number;
  /**
   * Most sockets connected but not yet upgraded to WebSocket (default 1000); one more is closed as
   * soon as it connects, so idle sockets cannot use up the process' file descriptors.
   */
  readonly maxPendingUpgrades?: number;
  /** A socket that has not sent its WebSocket upgrade this many milliseconds after connecting is closed (default 5000). */
  readonly upgradeTimeoutMs?: number;
  /** Plain HTTP requests (not WebSocket upgrades) on the listener's own port; absent: answered 426 Upgrade Required. Not with `server`, whose own handlers answer. */
  readonly onHttpRequest?: (request: IncomingMessage, response: ServerResponse) => void;
}

/** Connections a listener turned away, by the option whose limit they hit (`badRequest`: not a valid upgrade). */
export type ListenerRefusals = Readonly<Record<RefusalReason | "helloTimeoutMs", number>>;

/** A running listener: children connect to `url`. Made by `listen`. */
export interface Listener {
  /** The bound port (the picked one when 0 was asked for), or the attached server's. */
  readonly port: number;
  /** The URL children dial, e.g. "ws://127.0.0.1:3001" ("wss://…" with TLS). */
  readonly url: string;
  /** How many children are linked right now. */
  readonly links: number;
  /**
   * Takes `policy` for every link from now on (checked with parsePolicy first: an invalid one throws
   * PolicyError, audited as policy-rejected, and the previous policy stays). `source` names where it
   * came from (a file) in the audit event. Live links are re-evaluated at once: a revoked observer
   * stops receiving and is told, a revoked exposer is released and another candidate elected, what is
   * newly granted is served. `undefined` allows everything again.
   */
  setPolicy(policy: Policy | undefined, source?: string): void;
  /** Connections turned away since the listener started, by reason. */
  readonly refused: ListenerRefusals;
  /**
   * Says goodbye to every child, stops accepting and releases the socket; resolves once all is
   * released. Calling it again returns the same promise.
   */
  close(): Promise<void>;
}

/** Defaults of `listen`'s `linkLimits` (see LinkLimits), for what shows them (the router's usage). */
export const LINK_LIMIT_DEFAULTS: LinkLimits = DEFAULT_LINK_LIMITS;

/**
 * `linkLimits` completed with LINK_LIMIT_DEFAULTS, as `listen` takes them; throws InvalidLimitsError for
 * a limit that is not a positive whole number, RangeError when maxQueueBytes is not above queueBytes.
 */
export function listenLinkLimits(linkLimits?: Partial<LinkLimits>): LinkLimits {
  return resolveLinkLimits(linkLimits);
}

/** Checks `allowedOrigins` as `listen` takes them, for what reads them first (the router's command line); throws RangeError for an entry that is not an origin. */
export function checkAllowedOrigins(allowedOrigins: readonly string[]): void {
  originCheck(allowedOrigins);
}

/** Defaults of `listen`'s connection limits (see ListenOptions). */
export const LISTEN_LIMIT_DEFAULTS = Object.freeze({
  ...LISTENER_LIMIT_DEFAULTS,
  helloTimeoutMs: keepAliveTimes({}).deadAfterMs,
});

/**
 * Accepts child nodes over WebSocket (Node only) and links each one into `node`: the node becomes their
 * parent in the tree. It binds `port` (serving `wss://` with `tls`) or attaches to an existing `server`,
 * and turns away browsers of origins not in `allowedOrigins`. A child that misbehaves (garbage bytes, a protocol violation, a message over the
 * binding's limits, silence) is disconnected with one log line; the others keep being served. Floods are
 * bounded: connections (`maxConnections`), sockets that have not upgraded (`maxPendingUpgrades`,
 * `upgradeTimeoutMs`), connections that say no Hello (`helloTimeoutMs`), what each child may open and
 * what is queued toward it (`linkLimits`), and the log lines they cause (`logRateLimit`). `node.close()`
 * closes the listener too.
 * Rejects with NodeClosedError on a closed node (before binding anything), with ListenError when the
 * address cannot be bound (`systemCode` says why), with TlsOptionsError for an unusable `tls`
 * certificate or key, with RangeError for a port outside 0–65535, both `port` and `server` (or
 * neither), an `allowedOrigins` entry that is not an origin, a limit that is not a positive whole
 * number, a `monitorTag` other than the one the node already publishes its monitor object under, a
 * `monitorIntervalMs` that is not a finite number above 0, or `onHttpRequest` with `server`, with BindingOptionsError for invalid `mux.limits`, with PolicyError for an invalid `policy`, with InvalidLimitsError for invalid `dataLimits` or `linkLimits` (RangeError when maxQueueBytes is not above queueBytes).
 */
export async function listen(node: LocalNode, options: ListenOptions): Promise<Listener> {
  const settings = childLinkSettings(node, options, "listen");
  const { helloTimeoutMs } = settings;
  const log = new ListenerLog(options.log ?? (() => {}), options.logRateLimit ?? {}, {
    maxConnections: options.maxConnections ?? LISTEN_LIMIT_DEFAULTS.maxConnections,
    maxPendingUpgrades: options.maxPendingUpgrades ?? LISTEN_LIMIT_DEFAULTS.maxPendingUpgrades,
    upgradeTimeoutMs: options.upgradeTimeoutMs ?? LISTEN_LIMIT_DEFAULTS.upgradeTimeoutMs,
    helloTimeoutMs,
  });
  const links = new ChildLinks(node, options, settings, log);
  let closing: Promise<void> | undefined;
  let detach: () => void = () => {};

  let server: WebSocketListener;
  try {
    server = await listenWebSocket(
      {
        ...(options.port === undefined ? {} : { port: options.port }),
        ...(options.host === undefined ? {} : { host: options.host }),
        ...(options.tls === undefined ? {} : { tls: options.tls }),
        ...(options.server === undefined ? {} : { server: options.server }),
        ...(options.path === undefined ? {} : { path: options.path }),
        ...(options.allowedOrigins === undefined ? {} : { allowedOrigins: options.allowedOrigins }),
        ...(options.maxConnections === undefined ? {} : { maxConnections: options.maxConnections }),
        ...(options.maxPendingUpgrades === undefined ? {} : { maxPendingUpgrades: options.maxPendingUpgrades }),
        ...(options.upgradeTimeoutMs === undefined ? {} : { upgradeTimeoutMs: options.upgradeTimeoutMs }),
        maxPayload: settings.maxMessageBytes,
        ...(options.onHttpRequest === undefined ? {} : { onRequest: options.onHttpRequest }),
        onRefusal: (refusal) => {
          log.refused(refusal);
          node.monitor.record({ kind: "refused", text: `refused ${refusal.peer}: ${refusal.detail}` });
          // A browser page of another origin is a refusal of who asked, not of how much: audited like a refused token.
          if (refusal.reason === "allowedOrigins") options.audit?.({ kind: "refused", at: Date.now(), link: refusal.peer, reason: refusal.detail });
        },
      },
      (carrier, request) => links.accept(carrier, request),
    );
  } catch (error) {
    log.close();
    throw error;
  }

  const listener: Listener = {
    port: server.port,
    url: server.url,
    get links() {
      return links.size;
    },
    get refused() {
      return { ...server.refused, helloTimeoutMs: links.helloTimeouts };
    },
    setPolicy: (next, source) => links.setPolicy(next, source),
    close: () =>
      (closing ??= (async () => {
        detach();
        await links.close("the parent's listener is closing");
        await server.close();
        log.close();
        log.note(`stopped listening on ${server.url}`);
      })()),
  };
  try {
    detach = node.adoptLink(listener);
  } catch (error) {
    await server.close();
    log.close();
    throw error;
  }
  links.startMonitor();
  log.note(`listening on ${server.url}`);
  return listener;
}
