import type { Observable, Subscription } from "rxjs";
import { createSessionMux, type SessionMuxOptions } from "../../bindings/session-mux.js";
import type { Carrier } from "../../transports/carrier.js";
import { ReconnectingConnector, type ReconnectingConnectorOptions } from "../../transports/reconnecting-connector.js";
import { dialWebSocket, type WebSocketConstructor } from "../../transports/websocket-carrier.js";
import { GuardedObservable } from "../events/guarded-observable.js";
import { ListenerSet } from "../events/listener-set.js";
import type { ConnectionLog } from "./connection-log.js";
import type { LocalNode } from "../local-node/local-node.js";
import type { LinkOptions } from "../sync/link-options.js";
import { LinkRefusedError } from "../sync/link-refused-error.js";
import { UpstreamLink } from "../sync/upstream-link.js";
import { UpstreamExistsError } from "./upstream-exists-error.js";

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
  /** Codec, compression and limits of the connection; the parent must use compatible ones. */
  readonly mux?: SessionMuxOptions;
  /** Where one line per connection event goes (status changes, failures, the link's own events). Default: nowhere. */
  readonly log?: ConnectionLog;
}

/** A node's link to its parent, kept up across connection losses. Made by `connect`. */
export interface Upstream {
  /** Where the parent is. */
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
   * The last failure: a failed dial, a connection that ended with an error, or the parent's refusal
   * (a LinkRefusedError, after which the upstream is closed for good). Undefined until one happens.
   */
  readonly lastError: Error | undefined;
  /** Says goodbye to the parent, stops redialing and releases everything. Idempotent. */
  close(): Promise<void>;
}

/** The upstream of each node that has one: a node has at most one parent. */
const upstreams = new WeakMap<LocalNode, Upstream>();

/**
 * Links `node` to a parent node listening at `url` (a router, or any process that called `listen`):
 * from then on the node's contracts take part in the parent's tree. Dials at once; after a failed dial
 * or a lost connection it redials with backoff and jitter (unless `reconnect` is false) and resyncs
 * without flicker. A parent's refusal (e.g. an incompatible protocol version) stops it for good.
 * `node.close()` closes it too. Throws UpstreamExistsError if the node already has an upstream.
 */
export function connect(node: LocalNode, url: string, options: ConnectOptions = {}): Upstream {
  const existing = upstreams.get(node);
  if (existing !== undefined) throw new UpstreamExistsError(node.name, existing.url, url);
  const upstream = new UpstreamConnection(node, url, options);
  upstreams.set(node, upstream);
  return upstream;
}

const consoleSink = (error: unknown, context: string): void => {
  console.error(`hakuban: exception in ${context}:`, error);
};

/** Runs an UpstreamLink over each carrier a ReconnectingConnector brings up, and reports one status. */
class UpstreamConnection implements Upstream {
  readonly url: string;
  readonly status$: Observable<UpstreamStatus>;
  readonly #node: LocalNode;
  readonly #options: ConnectOptions;
  readonly #log: ConnectionLog;
  readonly #listeners = new ListenerSet<UpstreamStatus>(consoleSink, this, "status");
  readonly #link: UpstreamLink;
  readonly #connector: ReconnectingConnector;
  readonly #connectorStatus: Subscription;
  readonly #detach: () => void;
  #status: UpstreamStatus = "connecting";
  #lastError: Error | undefined;
  /** The connection generation in progress (each waits for the previous one to end). */
  #generation: Promise<void> = Promise.resolve();
  #stopping = false;
  /** A dial failed since the last connection: status changes are routine until connected again. */
  #redialing = false;
  #closing: Promise<void> | undefined;

  /** `upstream <url>`, for logs and error reports. */
  toString(): string {
    return `upstream ${this.url}`;
  }

  constructor(node: LocalNode, url: string, options: ConnectOptions) {
    this.url = url;
    this.#node = node;
    this.#options = options;
    this.#log = options.log ?? (() => {});
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
    this.#link = new UpstreamLink(node, options);
    this.#link.onConnected((connected) => {
      if (connected) this.#setStatus("connected");
      else if (!this.#stopping) this.#setStatus("disconnected");
    });
    this.#log(`upstream ${url}: connecting`, "info");
    const dial = options.dial ?? webSocketDial(options);
    try {
      this.#connector = new ReconnectingConnector({
        dial: (signal) => dial(url, signal),
        onCarrier: (carrier) => this.#onCarrier(carrier),
        onDialError: (error, retryInMs) => this.#onDialError(error, retryInMs),
        ...backoffOptions(options),
      });
    } catch (error) {
      // Invalid backoff options: leave nothing behind.
      this.#detach();
      void this.#link.close();
      throw error;
    }
    this.#connectorStatus = this.#connector.status$.subscribe((status) => {
      // "connected" there only means a socket is open: we say so once the parent's Welcome arrives.
      if ((status === "connecting" || status === "disconnected") && !this.#stopping) this.#setStatus(status);
    });
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

  #onCarrier(carrier: Carrier): void {
    // Attach at once (the connector watches the carrier's close); run once the previous generation is over.
    const mux = createSessionMux(carrier, this.#options.mux);
    const previous = this.#generation;
    this.#generation = (async () => {
      await previous;
      if (this.#stopping) {
        mux.close();
        return;
      }
      const error = await this.#link.run(mux).catch((thrown: unknown) => toError(thrown));
      mux.close(error);
      carrier.close(error === undefined ? "upstream closed" : error.message);
      this.#generationEnded(error);
    })();
  }

  #generationEnded(error: Error | undefined): void {
    if (error instanceof LinkRefusedError) {
      this.#lastError = error;
      this.#log(`upstream ${this.url}: refused by the parent: ${error.reason}; not reconnecting`, "warn");
      void this.close();
      return;
    }
    if (error !== undefined) {
      this.#lastError = error;
      if (!this.#stopping) this.#log(`upstream ${this.url}: connection ended: ${error.message}`, "warn");
    }
    if (this.#options.reconnect === false) void this.close();
  }

  #onDialError(error: unknown, retryInMs: number): void {
    this.#lastError = toError(error);
    this.#redialing = true;
    if (this.#options.reconnect === false) {
      this.#log(`upstream ${this.url}: ${this.#lastError.message}`, "warn");
      void this.close();
    } else {
      this.#log(`upstream ${this.url}: ${this.#lastError.message} (retrying in ${Math.round(retryInMs)} ms)`, "warn");
    }
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
    this.#listeners.clear();
  }

  #setStatus(status: UpstreamStatus): void {
    const previous = this.#status;
    if (previous === status || previous === "closed") return;
    this.#status = status;
    if (status === "connected") this.#redialing = false;
    // Redialing a parent that is down cycles connecting/disconnected: each failed dial logs one warning instead.
    const churn = this.#redialing && status !== "connected" && status !== "closed";
    this.#log(`upstream ${this.url}: ${status}`, churn ? "debug" : "info");
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
