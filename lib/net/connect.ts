import type { Observable, Subscription } from "rxjs";
import { type CarrierSessionMux, createSessionMux, type SessionMuxOptions } from "../../bindings/session-mux.js";
import type { Carrier } from "../../transports/carrier.js";
import { ReconnectingConnector, type ReconnectingConnectorOptions } from "../../transports/reconnecting-connector.js";
import { dialWebSocket, type WebSocketConstructor } from "../../transports/websocket-carrier.js";
import { GuardedObservable } from "../events/guarded-observable.js";
import { ListenerSet } from "../events/listener-set.js";
import type { ConnectionLog } from "./connection-log.js";
import type { LocalNode } from "../local-node/local-node.js";
import type { LinkRegistration, UpstreamSample } from "../monitor/link-probe.js";
import type { NodeMonitor } from "../monitor/node-monitor.js";
import { NodeClosedError } from "../local-node/node-closed-error.js";
import { keepAliveTimes } from "../sync/keep-alive.js";
import { linkDataLimits, type LinkOptions } from "../sync/link-options.js";
import { LinkRefusedError } from "../sync/link-refused-error.js";
import { type TokenSource, UpstreamLink } from "../sync/up/upstream-link.js";
import { judgeDialFailure, judgeHandshakeFailure } from "./handshake-failure.js";
import { NotAHakubanListenerError } from "./not-a-hakuban-listener-error.js";
import { describeTraffic } from "./traffic-summary.js";
import { UpstreamExistsError } from "./upstream-exists-error.js";
import { WelcomeDeadline } from "./welcome-deadline.js";
import { parseWebSocketUrl } from "./websocket-url.js";

/**
 * Where an upstream stands: dialing or handshaking, linked (the parent welcomed us), waiting to redial,
 * or stopped for good.
 */
export type UpstreamStatus = "connecting" | "connected" | "disconnected" | "closed";

/** Opens one carrier to `url`; should give up (reject) when `signal` aborts. */
export type Dial = (url: string, signal: AbortSignal) => Promise<Carrier>;

/** Options of `connect`: link settings, redial backoff, and how to reach the parent. */
export interface ConnectOptions
  extends LinkOptions,
    Pick<ReconnectingConnectorOptions, "initialDelayMs" | "maxDelayMs" | "factor" | "stableAfterMs" | "random" | "timers"> {
  /** Redial after a failed dial or a lost connection (default true). When false, the first loss closes the upstream. */
  readonly reconnect?: boolean;
  /** The WebSocket implementation (default `globalThis.WebSocket`; `hakuban/node` defaults to `ws`). */
  readonly WebSocket?: WebSocketConstructor;
  /** Opens the carrier instead of a WebSocket dial, for custom transports; overrides `WebSocket`. */
  readonly dial?: Dial;
  /** A dial not open after this many milliseconds fails and is retried (default 10 000). */
  readonly dialTimeoutMs?: number;
  /**
   * A server that has not answered the link's Hello (with Welcome or Refuse) this many milliseconds
   * after the connection opened is given up on as not a hakuban listener, and redialed with backoff
   * (default: `deadAfterMs`, 3 × `keepAliveMs`, 15 000 ms).
   */
  readonly welcomeTimeoutMs?: number;
  /** Codec, compression and limits of the connection; the parent must use compatible ones. */
  readonly mux?: SessionMuxOptions;
  /** Where one line per connection event goes (status changes, failures, the link's own events). Default: nowhere. */
  readonly log?: ConnectionLog;
  /**
   * Credentials for the parent's `authenticate`, sent in the link's handshake (so browsers can use them:
   * they cannot set WebSocket headers). A function is called on each dial and on each refresh (by
   * `refresh()`, and by itself shortly before the principal expires when the parent says when). A
   * parent that refuses a fixed token closes the upstream for good; one that refuses a function's token
   * is redialed with backoff, as the function may give a new one.
   */
  readonly token?: TokenSource;
}

/** A node's link to its parent, kept up across connection losses. Made by `connect`. */
export interface Upstream {
  /** Where the parent is: the one dialed now (or last), of the parents `connect` was given. */
  readonly url: string;
  /** The current status. */
  readonly status: UpstreamStatus;
  /**
   * The current status (replayed to each subscriber), then every change; completes after "closed".
   * "connected" means the parent welcomed this node, not merely that a socket is open.
   */
  readonly status$: Observable<UpstreamStatus>;
  /** Calls `callback` with every status change (not the current one); returns the unsubscribe function. */
  onStatus(callback: (status: UpstreamStatus) => void): () => void;
  /**
   * The last failure: a failed dial, a connection that ended with an error, a server that is not a
   * hakuban listener (NotAHakubanListenerError), or the parent's refusal (LinkRefusedError, after
   * which the upstream is closed for good, unless its token comes from a function). It is set before the status change it explains is
   * emitted, so a status$ subscriber that sees "disconnected" or "closed" can read why here.
   * Undefined until a failure happens; kept after a later success.
   */
  readonly lastError: Error | undefined;
  /**
   * Re-reads the token and sends it on the live link: the parent re-authenticates it and re-evaluates
   * its grants without a reconnect. Resolves once the parent accepted it (at once while not linked: the
   * next dial reads the token anew); rejects with a LinkRefusedError when the parent refused it (it then
   * ends the link).
   */
  refresh(): Promise<void>;
  /**
   * Says goodbye to the parent, stops redialing and releases everything; resolves once all is
   * released. Calling it again (or after the upstream closed on its own) returns the same promise.
   * Once it has resolved, the node may `connect` again.
   */
  close(): Promise<void>;
}

/** The upstream of each node that has one: a node has at most one parent. */
const upstreams = new WeakMap<LocalNode, Upstream>();

/**
 * Links `node` to a parent node listening at `url` (a router, or any process that called `listen`):
 * from then on the node's contracts take part in the parent's tree. Dials at once; after a failed dial
 * or a lost connection it redials with backoff and jitter (unless `reconnect` is false) and resyncs
 * without flicker. Given a list of parents (the roots of a cluster, say), it dials the first, and after
 * each failed dial or lost connection the next one in turn. A server there that is not a hakuban
 * listener is redialed with backoff too, with a NotAHakubanListenerError as `lastError`. A parent's refusal (an incompatible protocol version, a
 * refused token) stops it for good, unless `token` is a function (it may give a token the parent
 * accepts: then the upstream redials with backoff). `node.close()` closes it too.
 *
 * Throws at once, registering nothing: a TypeError when `url` is (or lists) no well-formed ws: or wss: URL
 * (unless `options.dial` is given: then the URL is the dial's business), NodeClosedError on a closed
 * node, UpstreamExistsError when the node already has an upstream that is not closed yet (await the
 * old one's close() first), RangeError for invalid timing options, InvalidLimitsError for invalid `dataLimits`.
 */
export function connect(node: LocalNode, url: string | readonly string[], options: ConnectOptions = {}): Upstream {
  const urls = parentUrls(url);
  if (options.dial === undefined) for (const each of urls) parseWebSocketUrl(each);
  if (node.isClosed) throw new NodeClosedError("connect()");
  const { welcomeTimeoutMs } = options;
  if (welcomeTimeoutMs !== undefined && !(Number.isFinite(welcomeTimeoutMs) && welcomeTimeoutMs > 0)) {
    throw new RangeError(`connect option welcomeTimeoutMs must be a finite number > 0, got ${welcomeTimeoutMs}.`);
  }
  linkDataLimits(options); // InvalidLimitsError now, not at the first connection
  const existing = upstreams.get(node);
  if (existing !== undefined) throw new UpstreamExistsError(node.name, existing.url, urls[0]!);
  const upstream = new UpstreamConnection(node, urls, options);
  upstreams.set(node, upstream);
  return upstream;
}

/** The parents `connect` was given, as a list; a TypeError for an empty one. */
export function parentUrls(url: string | readonly string[]): readonly string[] {
  const urls = typeof url === "string" ? [url] : [...url];
  if (urls.length === 0) throw new TypeError("connect() needs a parent's URL, or a list of at least one.");
  return urls;
}

const consoleSink = (error: unknown, context: string): void => {
  console.error(`hakuban: exception in ${context}:`, error);
};

/** Runs an UpstreamLink over each carrier a ReconnectingConnector brings up, and reports one status. */
class UpstreamConnection implements Upstream {
  /** The parents to dial, in turn; `#current` is the one dialed now. */
  readonly #urls: readonly string[];
  #current = 0;
  readonly status$: Observable<UpstreamStatus>;
  readonly #node: LocalNode;
  readonly #options: ConnectOptions;
  readonly #log: ConnectionLog;
  readonly #welcomeTimeoutMs: number;
  readonly #listeners = new ListenerSet<UpstreamStatus>(consoleSink, this, "status");
  readonly #link: UpstreamLink;
  readonly #connector: ReconnectingConnector;
  readonly #connectorStatus: Subscription;
  readonly #detach: () => void;
  #status: UpstreamStatus = "connecting";
  #lastError: Error | undefined;
  /** The connection generation in progress (each waits for the previous one to end). */
  #generation: Promise<void> = Promise.resolve();
  /** Connections handed over whose end has not been reported yet: the connector's status waits for them. */
  #unreported = 0;
  /** The Welcome deadline of the connection whose handshake runs or ran last. */
  #deadline: WelcomeDeadline | undefined;
  #stopping = false;
  /** A dial or handshake failed since the last welcome: status changes are routine until connected again. */
  #redialing = false;
  #closing: Promise<void> | undefined;
  /** The upstream as its node's monitor knows it, for its whole life. */
  readonly #monitor: NodeMonitor;
  readonly #registration: LinkRegistration;
  /** The parent's name, as its last Welcome said it. */
  #parentName: string | undefined;
  /** The connections running now, and the traffic of those that ended: the monitor's figures add up over all. */
  readonly #muxes = new Set<CarrierSessionMux>();
  readonly #ended = { messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0 };

  /** `upstream <url>`, for logs and error reports. */
  toString(): string {
    return `upstream ${this.url}`;
  }

  constructor(node: LocalNode, urls: readonly string[], options: ConnectOptions) {
    this.#urls = urls;
    this.#node = node;
    this.#options = options;
    this.#log = options.log ?? (() => {});
    this.#welcomeTimeoutMs = options.welcomeTimeoutMs ?? keepAliveTimes(options).deadAfterMs;
    this.#detach = node.adoptLink(this);
    this.status$ = new GuardedObservable<UpstreamStatus>(consoleSink, this, (subscriber) => {
      subscriber.next(this.#status);
      if (this.#status === "closed") {
        subscriber.complete();
        return undefined;
      }
      return this.#listeners.add((status) => {
        subscriber.next(status);
        if (status === "closed") subscriber.complete();
      });
    });
    // The link driver's own lines (who welcomed us, why the parent left) detail the lines logged here.
    const log = this.#log;
    const linkOptions: LinkOptions = { ...options, log: (line) => log(line, "debug") };
    this.#link = new UpstreamLink(node, linkOptions, (parent) => this.#welcomed(parent));
    this.#link.onConnected((connected) => {
      if (connected) this.#setStatus("connected");
    });
    this.#log(`upstream ${this.url}: connecting`, "info");
    const dial = options.dial ?? webSocketDial(options);
    try {
      this.#connector = new ReconnectingConnector({
        dial: (signal) => dial(this.url, signal),
        onCarrier: (carrier) => this.#onCarrier(carrier),
        onDialError: (error, retryInMs) => this.#onDialError(error, retryInMs),
        // Only a parent's Welcome makes a connection count as good: a server that accepts and never
        // welcomes is backed off like one that refuses.
        confirmConnections: true,
        ...backoffOptions(options),
      });
    } catch (error) {
      // Invalid backoff options: leave nothing behind.
      this.#detach();
      void this.#link.close();
      throw error;
    }
    this.#monitor = node.monitor;
    this.#registration = node.monitor.addUpstream(() => this.#sample());
    this.#connectorStatus = this.#connector.status$.subscribe((status) => {
      // "connected" there only means a socket is open: we say so once the parent's Welcome arrives;
      // "disconnected" is said once the reason is known (#onDialError, #generationEnded).
      if (status === "connecting") this.#followConnector();
    });
  }

  get url(): string {
    return this.#urls[this.#current]!;
  }

  /** Dials the next parent of the list from now on (after a failed dial or a lost connection). */
  #nextParent(): void {
    this.#current = (this.#current + 1) % this.#urls.length;
  }

  get status(): UpstreamStatus {
    return this.#status;
  }

  get lastError(): Error | undefined {
    return this.#lastError;
  }

  onStatus(callback: (status: UpstreamStatus) => void): () => void {
    return this.#listeners.add(callback);
  }

  close(): Promise<void> {
    return (this.#closing ??= this.#shutdown());
  }

  refresh(): Promise<void> {
    return this.#link.refresh();
  }

  #onCarrier(carrier: Carrier): void {
    // Attach at once (the connector watches the carrier's close); run once the previous generation is over.
    const mux = createSessionMux(carrier, this.#options.mux);
    this.#muxes.add(mux);
    let closeError: Error | undefined;
    mux.onClose((error) => (closeError = error));
    this.#unreported++;
    const previous = this.#generation;
    this.#generation = (async () => {
      await previous;
      if (this.#stopping) {
        mux.close();
        this.#retire(mux);
        this.#unreported--;
        return;
      }
      const deadline = new WelcomeDeadline(carrier, this.url, this.#welcomeTimeoutMs, (expired) => mux.close(expired));
      this.#deadline = deadline;
      let error = await this.#link.run(mux).catch((thrown: unknown) => toError(thrown));
      deadline.end();
      mux.close(error);
      carrier.close(error === undefined ? "upstream closed" : error.message);
      this.#log(`upstream ${this.url}: the connection carried ${describeTraffic(mux.stats)}`, "debug");
      this.#retire(mux);
      if (error !== undefined && !deadline.welcomed && !(error instanceof LinkRefusedError)) {
        error = deadline.expired ?? judgeHandshakeFailure(this.url, error, { closeError, stats: mux.stats });
      }
      this.#unreported--;
      this.#generationEnded(error, deadline.welcomed);
    })();
  }

  #welcomed(parent: string): void {
    this.#parentName = parent;
    const deadline = this.#deadline;
    if (deadline === undefined) return;
    deadline.welcome();
    this.#connector.confirm(deadline.carrier);
    this.#log(`upstream ${this.url}: welcomed by "${parent}"`, "debug");
  }

  #generationEnded(error: Error | undefined, welcomed: boolean): void {
    if (error instanceof LinkRefusedError && typeof this.#options.token === "function" && !this.#stopping) {
      // The token function may give a token the parent accepts: redial, with backoff (the refused
      // connection was never confirmed), instead of hammering the parent.
      this.#lastError = error;
      this.#redialing = true;
      this.#log(`upstream ${this.url}: refused by the parent: ${error.reason}; redialing for a new token`, "warn");
      this.#setStatus("disconnected");
      if (this.#options.reconnect === false) void this.close();
      else this.#followConnector();
      return;
    }
    if (error instanceof LinkRefusedError) {
      this.#lastError = error;
      this.#log(`upstream ${this.url}: refused by the parent: ${error.reason}; not reconnecting`, "warn");
      void this.close();
      return;
    }
    if (this.#stopping) return;
    if (error !== undefined) {
      this.#lastError = error;
      this.#log(error instanceof NotAHakubanListenerError ? `upstream ${error.message}` : `upstream ${this.url}: connection ended: ${error.message}`, "warn");
    }
    this.#nextParent();
    if (!welcomed) this.#redialing = true;
    this.#setStatus("disconnected");
    if (this.#options.reconnect === false) void this.close();
    else this.#followConnector();
  }

  #onDialError(error: unknown, retryInMs: number): void {
    this.#lastError = judgeDialFailure(this.url, toError(error));
    this.#redialing = true;
    const retrying = this.#options.reconnect === false ? "" : ` (retrying in ${Math.round(retryInMs)} ms)`;
    const what = this.#lastError instanceof NotAHakubanListenerError ? this.#lastError.message : `${this.url}: ${this.#lastError.message}`;
    this.#log(`upstream ${what}${retrying}`, "warn");
    this.#nextParent();
    this.#setStatus("disconnected");
    if (this.#options.reconnect === false) void this.close();
  }

  /** Says "connecting" when the connector dials again, once every earlier connection's end was reported. */
  #followConnector(): void {
    if (!this.#stopping && this.#unreported === 0 && this.#connector.status === "connecting") this.#setStatus("connecting");
  }

  async #shutdown(): Promise<void> {
    this.#stopping = true;
    await this.#link.close();
    await this.#connector.close();
    await this.#generation;
    this.#connectorStatus.unsubscribe();
    this.#detach();
    if (upstreams.get(this.#node) === this) upstreams.delete(this.#node);
    this.#setStatus("closed");
    this.#registration.remove();
    this.#listeners.clear();
  }

  /** A connection ended: its traffic joins that of the connections before it. */
  #retire(mux: CarrierSessionMux): void {
    if (!this.#muxes.delete(mux)) return;
    const ended = this.#ended;
    ended.messagesIn += mux.stats.messagesIn;
    ended.messagesOut += mux.stats.messagesOut;
    ended.bytesIn += mux.stats.bytesIn;
    ended.bytesOut += mux.stats.bytesOut;
  }

  /** What the monitor shows of the upstream: its figures over every connection it made. */
  #sample(): UpstreamSample {
    let { messagesIn, messagesOut, bytesIn, bytesOut } = this.#ended;
    let queuedBytes = 0;
    for (const mux of this.#muxes) {
      messagesIn += mux.stats.messagesIn;
      messagesOut += mux.stats.messagesOut;
      bytesIn += mux.stats.bytesIn;
      bytesOut += mux.stats.bytesOut;
      queuedBytes += mux.bufferedAmount;
    }
    return {
      url: this.url,
      status: this.#status,
      lastError: this.#lastError?.message ?? null,
      name: this.#parentName ?? null,
      roundTripMs: this.#link.roundTripMs ?? null,
      messagesIn,
      messagesOut,
      bytesIn,
      bytesOut,
      queuedBytes,
    };
  }

  #setStatus(status: UpstreamStatus): void {
    const previous = this.#status;
    if (previous === status || previous === "closed") return;
    this.#status = status;
    if (status === "connected") this.#redialing = false;
    // Redialing a server that fails cycles connecting/disconnected: each failure logs one warning instead.
    const churn = this.#redialing && status !== "connected" && status !== "closed";
    this.#log(`upstream ${this.url}: ${status}`, churn ? "debug" : "info");
    // Redialing also records only its failures (each says why, and when it retries).
    if (!churn || status === "disconnected") {
      const why = status === "disconnected" || status === "closed" ? this.#lastError?.message : undefined;
      this.#monitor.record({ kind: "upstream", text: `upstream ${this.url}: ${status}${why === undefined ? "" : `: ${why}`}`, link: this.#registration.id });
    }
    this.#listeners.emit(status);
  }
}

/** The dial of `connect` when none is given: a WebSocket (the given implementation or the global one). */
function webSocketDial(options: ConnectOptions): Dial {
  return (url, signal) =>
    dialWebSocket(url, {
      signal,
      ...(options.WebSocket === undefined ? {} : { WebSocket: options.WebSocket }),
      ...(options.dialTimeoutMs === undefined ? {} : { timeoutMs: options.dialTimeoutMs }),
    });
}

/** The connector's share of the options. */
function backoffOptions(options: ConnectOptions): Partial<ReconnectingConnectorOptions> {
  const picked: Partial<Record<keyof ReconnectingConnectorOptions, unknown>> = {};
  for (const key of ["initialDelayMs", "maxDelayMs", "factor", "stableAfterMs", "random", "timers"] as const) {
    if (options[key] !== undefined) picked[key] = options[key];
  }
  return picked as Partial<ReconnectingConnectorOptions>;
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
