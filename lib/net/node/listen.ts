import type { IncomingMessage, ServerResponse } from "node:http";
import { resolveBindingLimits } from "../../../bindings/limits.js";
import { createSessionMux, type SessionMuxOptions } from "../../../bindings/session-mux.js";
import type { Carrier } from "../../../transports/carrier.js";
import { originCheck } from "../../../transports/node/allowed-origins.js";
import type { RefusalReason } from "../../../transports/node/connection-refusal.js";
import type { UpgradeRequest } from "../../../transports/node/upgrade-request.js";
import {
  LISTENER_LIMIT_DEFAULTS,
  type ListenerTls,
  listenWebSocket,
  type WebSocketListener,
  type WebSocketListenerOptions,
} from "../../../transports/node/ws-listener.js";
import type { ConnectionLog } from "../connection-log.js";
import type { LogRateLimit } from "../log-rate-limiter.js";
import type { LocalNode, LocalNodeOptions } from "../../local-node/local-node.js";
import { NodeClosedError } from "../../local-node/node-closed-error.js";
import { DownstreamLink, type DownstreamLinkOptions } from "../../sync/down/downstream-link.js";
import { keepAliveTimes } from "../../sync/keep-alive.js";
import { DEFAULT_LINK_LIMITS, type LinkLimitEvent, type LinkLimits, resolveLinkLimits } from "../../sync/link-limits.js";
import { linkDataLimits, type LinkOptions } from "../../sync/link-options.js";
import { assertMonitorInterval } from "../../monitor/monitor-interval.js";
import type { NodeMonitor } from "../../monitor/node-monitor.js";
import { ChildLinkMonitor } from "./child-link-monitor.js";
import { childName } from "./child-name.js";
import { ListenerLog } from "./listener-log.js";
import type { AuditSink } from "../../trust/audit-event.js";
import type { Authenticate } from "../../trust/auth-request.js";
import { isParsedPolicy, parsePolicy } from "../../trust/parse-policy.js";
import type { Policy } from "../../trust/policy.js";

/** Options of `listen`: where to accept children, how many, and the settings of their links. */
export interface ListenOptions extends LinkOptions {
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
   * A connection that has not introduced itself (the link protocol's Hello) after this many milliseconds
   * is dropped (default: the links' `deadAfterMs`, 3 × `keepAliveMs`, 15 000 ms).
   */
  readonly helloTimeoutMs?: number;
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
  /**
   * How many lines of each kind a peer can cause (refusals, timeouts, links made and ended) are
   * logged one by one: by default the first 20 per 10 s, then one summary line per 10 s while the
   * flood lasts.
   */
  readonly logRateLimit?: LogRateLimit;
  /**
   * What each child may make this node hold (object sessions, tag interests, descriptor keys, opens per
   * second) and how much may be queued toward it before its states are coalesced and, past the bounds,
   * the link is closed; omitted ones take DEFAULT_LINK_LIMITS. Requests refused and congestions are
   * logged as warnings, under `logRateLimit`.
   */
  readonly linkLimits?: Partial<LinkLimits>;
  /** Where one line per connection event goes (accepted, closed, failures, the links' own events). Default: nowhere. */
  readonly log?: ConnectionLog;
  /**
   * Decides who each child is, from the token it sent (`connect(…, { token })`) and the upgrade's
   * headers, remote address and URL: returns its principal, or throws to refuse the link (the child gets
   * a LinkRefusedError with the error's message). Absent: every child is accepted with no principal.
   * `jwtAuthenticator` makes one for JWTs.
   */
  readonly authenticate?: Authenticate;
  /**
   * What each child link may observe and expose, by its principal (see Policy); absent: everything (a
   * trusted network). Change it with `listener.setPolicy()`.
   */
  readonly policy?: Policy;
  /** Told of every authentication, refusal, denial, grant change and policy change; must not throw. */
  readonly audit?: AuditSink;
  /**
   * Publishes the node's own view (its links, objects, elections and events, see NodeSnapshot) as an
   * object carrying this tag, exposed by the node while something observes it (node.monitor.start).
   * A node already monitoring under another tag is refused with a RangeError.
   */
  readonly monitorTag?: LocalNodeOptions["monitorTag"];
  /** How often the monitor object is refreshed while observed, in milliseconds (default 1000). */
  readonly monitorIntervalMs?: number;
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
  if (node.isClosed) throw new NodeClosedError("listen()");
  const maxPayload = resolveBindingLimits(options.mux?.limits).maxMessageBytes;
  const helloTimeoutMs = options.helloTimeoutMs ?? keepAliveTimes(options).deadAfterMs;
  if (!(Number.isFinite(helloTimeoutMs) && helloTimeoutMs > 0)) {
    throw new RangeError(`listen option helloTimeoutMs must be a finite number > 0, got ${helloTimeoutMs}.`);
  }
  linkDataLimits(options); // InvalidLimitsError before binding, not in each accepted connection
  const monitorTag = options.monitorTag === undefined ? undefined : checkedMonitorTag(node, options.monitorTag);
  if (options.monitorIntervalMs !== undefined) assertMonitorInterval(options.monitorIntervalMs, "listen option monitorIntervalMs");
  let policy = options.policy === undefined ? undefined : checkedPolicy(options.policy); // PolicyError before binding
  const linkLimits = listenLinkLimits(options.linkLimits);
  const log = new ListenerLog(options.log ?? (() => {}), options.logRateLimit ?? {}, {
    maxConnections: options.maxConnections ?? LISTEN_LIMIT_DEFAULTS.maxConnections,
    maxPendingUpgrades: options.maxPendingUpgrades ?? LISTEN_LIMIT_DEFAULTS.maxPendingUpgrades,
    upgradeTimeoutMs: options.upgradeTimeoutMs ?? LISTEN_LIMIT_DEFAULTS.upgradeTimeoutMs,
    helloTimeoutMs,
  });
  // The link drivers' own lines detail the lines logged here.
  const linkOptions: DownstreamLinkOptions = { ...options, linkLimits, log: (line) => log.link(line) };
  const links = new Set<DownstreamLink>();
  let helloTimeouts = 0;
  let closing: Promise<void> | undefined;
  let detach: () => void = () => {};

  const accept = (carrier: Carrier, request: UpgradeRequest): void => {
    if (closing !== undefined || node.isClosed) {
      carrier.close("the listener is closing");
      return;
    }
    log.accepted(carrier.peer);
    const mux = createSessionMux(carrier, options.mux);
    const monitored = new ChildLinkMonitor(node.monitor, mux, carrier.peer);
    const who = (): string => childName(link.peerName, carrier.peer);
    const onLimit = (event: LinkLimitEvent): void => {
      log.overLimit(who(), event);
      monitored.overLimit(event);
    };
    const onViolation = (what: string): void => log.violation(who(), what);
    const onRefusedOrDenied: DownstreamLinkOptions["onRefusedOrDenied"] = (event) => monitored.refusedOrDenied(event);
    let helloTimer: ReturnType<typeof setTimeout> | undefined;
    const link: DownstreamLink = new DownstreamLink(node, mux, { ...linkOptions, policy, onLimit, onViolation, onRefusedOrDenied, request }, (name) => {
      // Its Hello came: the deadline (a timer per connection) goes now, not when it would have fired.
      clearTimeout(helloTimer);
      log.linked(name, carrier.peer);
      monitored.linked(name);
    });
    monitored.watch(link);
    links.add(link);
    let silent = false;
    helloTimer = setTimeout(() => {
      if (link.peerName !== undefined) return;
      silent = true;
      helloTimeouts++;
      void link.close(`no Hello within ${helloTimeoutMs} ms`);
    }, helloTimeoutMs);
    void link.closed.then((error) => {
      clearTimeout(helloTimer);
      links.delete(link);
      mux.close(error);
      if (silent) {
        log.helloTimedOut(carrier.peer);
        monitored.helloTimedOut(helloTimeoutMs);
      } else log.ended(who(), error);
      log.traffic(who(), mux.stats);
      monitored.ended(error);
    });
  };

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
        maxPayload,
        ...(options.onHttpRequest === undefined ? {} : { onRequest: options.onHttpRequest }),
        onRefusal: (refusal) => {
          log.refused(refusal);
          node.monitor.record({ kind: "refused", text: `refused ${refusal.peer}: ${refusal.detail}` });
          // A browser page of another origin is a refusal of who asked, not of how much: audited like a refused token.
          if (refusal.reason === "allowedOrigins") options.audit?.({ kind: "refused", at: Date.now(), link: refusal.peer, reason: refusal.detail });
        },
      },
      accept,
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
      return { ...server.refused, helloTimeoutMs: helloTimeouts };
    },
    setPolicy: (next, source) => {
      let checked: Policy | undefined;
      try {
        checked = next === undefined ? undefined : checkedPolicy(next);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        options.audit?.({ kind: "policy-rejected", at: Date.now(), reason, ...(source === undefined ? {} : { source }) });
        throw error;
      }
      policy = checked;
      options.audit?.({ kind: "policy-changed", at: Date.now(), rules: checked?.rules.length ?? 0, ...(source === undefined ? {} : { source }) });
      for (const link of links) link.setPolicy(checked);
    },
    close: () =>
      (closing ??= (async () => {
        detach();
        await Promise.allSettled([...links].map((link) => link.close("the parent's listener is closing")));
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
  if (monitorTag !== undefined) {
    node.monitor.start(monitorTag, options.monitorIntervalMs === undefined ? {} : { intervalMs: options.monitorIntervalMs });
  }
  log.note(`listening on ${server.url}`);
  return listener;
}

/** A tag a monitor object is published under. */
type MonitorTag = NonNullable<NodeMonitor["tag"]>;

/**
 * `monitorTag` as a tag descriptor, checked before binding: InvalidJsonError for one that is not JSON,
 * RangeError when the node already publishes its monitor object under another tag.
 */
function checkedMonitorTag(node: LocalNode, monitorTag: Exclude<ListenOptions["monitorTag"], undefined>): MonitorTag {
  const tag = node.tag(monitorTag).descriptor;
  const current = node.monitor.tag;
  if (current !== undefined && !current.equals(tag)) {
    throw new RangeError(
      `listen option monitorTag ${tag.toString()}: node "${node.name}" already publishes its monitor object under ${current.toString()}; a node has one monitor tag, give the same one or none`,
    );
  }
  return tag;
}

/** `policy` as parsePolicy made it (checked once, compiled once); throws PolicyError for an invalid one. */
function checkedPolicy(policy: Policy): Policy {
  return isParsedPolicy(policy) ? policy : parsePolicy(policy);
}
