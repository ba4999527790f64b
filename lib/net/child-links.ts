import { resolveBindingLimits } from "../../bindings/limits.js";
import { createSessionMux, type SessionMuxOptions } from "../../bindings/session-mux.js";
import type { Carrier } from "../../transports/carrier.js";
import type { LocalNode, LocalNodeOptions } from "../local-node/local-node.js";
import { NodeClosedError } from "../local-node/node-closed-error.js";
import { assertMonitorInterval } from "../monitor/monitor-interval.js";
import type { NodeMonitor } from "../monitor/node-monitor.js";
import { DownstreamLink, type DownstreamLinkOptions } from "../sync/down/downstream-link.js";
import { keepAliveTimes } from "../sync/keep-alive.js";
import { type LinkLimitEvent, type LinkLimits, resolveLinkLimits } from "../sync/link-limits.js";
import { linkDataLimits, type LinkOptions } from "../sync/link-options.js";
import type { LinkRequest } from "../sync/link-trust.js";
import type { AuditSink } from "../trust/audit-event.js";
import type { Authenticate } from "../trust/auth-request.js";
import { isParsedPolicy, parsePolicy } from "../trust/parse-policy.js";
import type { Policy } from "../trust/policy.js";
import type { ChildLinkLog } from "./child-link-log.js";
import { ChildLinkMonitor } from "./child-link-monitor.js";
import { childName } from "./child-name.js";
import type { ConnectionLog } from "./connection-log.js";
import type { LogRateLimit } from "./log-rate-limiter.js";

/** Options of every parent's listener, whatever carries its children's links (`listen`, `listenPorts`). */
export interface ChildLinkOptions extends LinkOptions {
  /**
   * Codec, compression and limits of each connection; children must use compatible ones. A message
   * larger than the limits' `maxMessageBytes` closes that connection.
   */
  readonly mux?: SessionMuxOptions;
  /**
   * A connection that has not introduced itself (the link protocol's Hello) after this many milliseconds
   * is dropped (default: the links' `deadAfterMs`, 3 × `keepAliveMs`, 15 000 ms).
   */
  readonly helloTimeoutMs?: number;
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
   * Decides who each child is, from the token it sent (`connect(…, { token })`) and what the listener
   * knows of the connection (an upgrade's headers, remote address and URL): returns its principal, or
   * throws to refuse the link (the child gets a LinkRefusedError with the error's message). Absent: every
   * child is accepted with no principal. `jwtAuthenticator` makes one for JWTs.
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
}

/** ChildLinkOptions checked and completed, before anything is bound. */
export interface ChildLinkSettings {
  /** The largest message a connection may carry (the binding's `maxMessageBytes`). */
  readonly maxMessageBytes: number;
  readonly helloTimeoutMs: number;
  readonly linkLimits: LinkLimits;
  /** The policy, parsed (compiled) once. */
  readonly policy: Policy | undefined;
  /** The tag to publish the node's monitor object under, when one was given. */
  readonly monitorTag: MonitorTag | undefined;
}

/**
 * Checks `options` as a listener takes them, before it binds anything: throws NodeClosedError on a
 * closed node, BindingOptionsError for invalid `mux.limits`, RangeError for a `helloTimeoutMs` or
 * `monitorIntervalMs` that is not a finite number above 0 or a `monitorTag` other than the one the node
 * already publishes under, InvalidLimitsError for invalid `dataLimits` or `linkLimits`, PolicyError for
 * an invalid `policy`. `caller` names the function in the messages ("listen").
 */
export function childLinkSettings(node: LocalNode, options: ChildLinkOptions, caller: string): ChildLinkSettings {
  if (node.isClosed) throw new NodeClosedError(`${caller}()`);
  const maxMessageBytes = resolveBindingLimits(options.mux?.limits).maxMessageBytes;
  const helloTimeoutMs = options.helloTimeoutMs ?? keepAliveTimes(options).deadAfterMs;
  if (!(Number.isFinite(helloTimeoutMs) && helloTimeoutMs > 0)) {
    throw new RangeError(`${caller} option helloTimeoutMs must be a finite number > 0, got ${helloTimeoutMs}.`);
  }
  linkDataLimits(options); // InvalidLimitsError now, not in each accepted connection
  const monitorTag = options.monitorTag === undefined ? undefined : checkedMonitorTag(node, options.monitorTag, caller);
  if (options.monitorIntervalMs !== undefined) assertMonitorInterval(options.monitorIntervalMs, `${caller} option monitorIntervalMs`);
  const policy = options.policy === undefined ? undefined : checkedPolicy(options.policy);
  return { maxMessageBytes, helloTimeoutMs, linkLimits: resolveLinkLimits(options.linkLimits), policy, monitorTag };
}

/**
 * The child links of one listener, whatever carries them: each accepted carrier gets a session mux, a
 * DownstreamLink into the node with the listener's trust settings, a Hello deadline, its monitor
 * registration (ChildLinkMonitor) and its log lines. `listen` accepts WebSocket connections into one,
 * `listenPorts` message ports.
 */
export class ChildLinks {
  readonly #node: LocalNode;
  readonly #options: ChildLinkOptions;
  readonly #settings: ChildLinkSettings;
  readonly #log: ChildLinkLog;
  readonly #linkOptions: DownstreamLinkOptions;
  readonly #links = new Set<DownstreamLink>();
  #policy: Policy | undefined;
  #helloTimeouts = 0;
  #closing = false;

  /** `settings` from childLinkSettings(node, options). */
  constructor(node: LocalNode, options: ChildLinkOptions, settings: ChildLinkSettings, log: ChildLinkLog) {
    this.#node = node;
    this.#options = options;
    this.#settings = settings;
    this.#log = log;
    this.#policy = settings.policy;
    // The link drivers' own lines detail the lines logged here.
    this.#linkOptions = { ...options, linkLimits: settings.linkLimits, log: (line) => log.link(line) };
  }

  /** How many children are linked (or handshaking) right now. */
  get size(): number {
    return this.#links.size;
  }

  /** Connections dropped for saying no Hello within `helloTimeoutMs`. */
  get helloTimeouts(): number {
    return this.#helloTimeouts;
  }

  /**
   * Links the child at the other end of `carrier` into the node (closing the carrier at once once the
   * listener is closing). `request` is what is known of the connection, for `authenticate`.
   */
  accept(carrier: Carrier, request: LinkRequest): void {
    const node = this.#node;
    if (this.#closing || node.isClosed) {
      carrier.close("the listener is closing");
      return;
    }
    const log = this.#log;
    const { helloTimeoutMs } = this.#settings;
    log.accepted(carrier.peer);
    const mux = createSessionMux(carrier, this.#options.mux);
    const monitored = new ChildLinkMonitor(node.monitor, mux, carrier.peer);
    const who = (): string => childName(link.peerName, carrier.peer);
    const onLimit = (event: LinkLimitEvent): void => {
      log.overLimit(who(), event);
      monitored.overLimit(event);
    };
    const onViolation = (what: string): void => log.violation(who(), what);
    const onRefusedOrDenied: DownstreamLinkOptions["onRefusedOrDenied"] = (event) => monitored.refusedOrDenied(event);
    let helloTimer: ReturnType<typeof setTimeout> | undefined;
    const options = { ...this.#linkOptions, policy: this.#policy, onLimit, onViolation, onRefusedOrDenied, request };
    const link: DownstreamLink = new DownstreamLink(node, mux, options, (name) => {
      // Its Hello came: the deadline (a timer per connection) goes now, not when it would have fired,
      // and the link keeps no hold on it.
      clearTimeout(helloTimer);
      helloTimer = undefined;
      log.linked(name, carrier.peer);
      monitored.linked(name);
    });
    monitored.watch(link);
    this.#links.add(link);
    let silent = false;
    helloTimer = setTimeout(() => {
      if (link.peerName !== undefined) return;
      silent = true;
      this.#helloTimeouts++;
      void link.close(`no Hello within ${helloTimeoutMs} ms`);
    }, helloTimeoutMs);
    void link.closed.then((error) => {
      clearTimeout(helloTimer);
      this.#links.delete(link);
      mux.close(error);
      if (silent) {
        log.helloTimedOut(carrier.peer);
        monitored.helloTimedOut(helloTimeoutMs);
      } else log.ended(who(), error);
      log.traffic(who(), mux.stats);
      monitored.ended(error);
    });
  }

  /**
   * Takes `policy` for every link from now on (checked with parsePolicy first: an invalid one throws
   * PolicyError, audited as policy-rejected, and the previous policy stays); live links are re-evaluated
   * at once. `source` names where it came from in the audit event.
   */
  setPolicy(next: Policy | undefined, source: string | undefined): void {
    const { audit } = this.#options;
    let checked: Policy | undefined;
    try {
      checked = next === undefined ? undefined : checkedPolicy(next);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      audit?.({ kind: "policy-rejected", at: Date.now(), reason, ...(source === undefined ? {} : { source }) });
      throw error;
    }
    this.#policy = checked;
    audit?.({ kind: "policy-changed", at: Date.now(), rules: checked?.rules.length ?? 0, ...(source === undefined ? {} : { source }) });
    for (const link of this.#links) link.setPolicy(checked);
  }

  /** Starts the node's monitor object when `monitorTag` was given (once the listener is up). */
  startMonitor(): void {
    const { monitorTag } = this.#settings;
    const { monitorIntervalMs } = this.#options;
    if (monitorTag !== undefined) this.#node.monitor.start(monitorTag, monitorIntervalMs === undefined ? {} : { intervalMs: monitorIntervalMs });
  }

  /** Accepts no more children and says goodbye to each linked one; resolves once every link ended. */
  async close(reason: string): Promise<void> {
    this.#closing = true;
    await Promise.allSettled([...this.#links].map((link) => link.close(reason)));
  }
}

/** A tag a monitor object is published under. */
type MonitorTag = NonNullable<NodeMonitor["tag"]>;

/**
 * `monitorTag` as a tag descriptor: InvalidJsonError for one that is not JSON, RangeError when the node
 * already publishes its monitor object under another tag.
 */
function checkedMonitorTag(node: LocalNode, monitorTag: Exclude<ChildLinkOptions["monitorTag"], undefined>, caller: string): MonitorTag {
  const tag = node.tag(monitorTag).descriptor;
  const current = node.monitor.tag;
  if (current !== undefined && !current.equals(tag)) {
    throw new RangeError(
      `${caller} option monitorTag ${tag.toString()}: node "${node.name}" already publishes its monitor object under ${current.toString()}; a node has one monitor tag, give the same one or none`,
    );
  }
  return tag;
}

/** `policy` as parsePolicy made it (checked once, compiled once); throws PolicyError for an invalid one. */
function checkedPolicy(policy: Policy): Policy {
  return isParsedPolicy(policy) ? policy : parsePolicy(policy);
}
