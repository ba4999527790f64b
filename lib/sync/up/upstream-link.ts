import type { SessionMux } from "../../choreography/index.js";
import type { JsonLimits } from "../../descriptor/json-value.js";
import { ListenerSet } from "../../events/listener-set.js";
import type { Exchange } from "../../exchange/exchange.js";
import type { ObjectEntry } from "../../exchange/object-entry.js";
import type { ElectionAuthority, Exposer, InterestWatcher } from "../../exchange/participants.js";
import type { TagEntry } from "../../exchange/tag-entry.js";
import type { ObjectState } from "../../state/object-state.js";
import type { OutboundQueue } from "../link-congestion.js";
import type { LinkedNode } from "../linked-node.js";
import { linkDataLimits, type LinkOptions } from "../link-options.js";
import { LinkRefusedError } from "../link-refused-error.js";
import { UpstreamAlreadyLinkedError } from "../upstream-already-linked-error.js";
import { Generation } from "./generation.js";

/** The child's credentials: a token, or a function giving the current one (called on each dial and refresh). */
export type TokenSource = string | (() => string | Promise<string>);

/** Settings of a child's link to its parent. */
export interface UpstreamLinkOptions extends LinkOptions {
  /** Sent in the handshake for the parent's `authenticate`, and again on refresh(). */
  readonly token?: TokenSource;
}

/**
 * The child's side (role Down) of a node's link to its parent. It reports what the node's subtree
 * observes and can expose, follows the parent's elections while linked, and relays states both ways.
 * It outlives connections: each connection is one generation (run()), and what a reconnect needs to
 * resynchronise without flicker (which versions the parent holds) is kept across them. While no
 * generation is running the node elects for itself, as the root of its subtree.
 */
export class UpstreamLink implements ElectionAuthority, InterestWatcher {
  private readonly exchange: Exchange;
  private generation: Generation | undefined;
  private readonly connectedListeners: ListenerSet<boolean>;
  private closing = false;
  /** Per object, what the parent most likely held of ours when its session ended: the base for diffs after a reconnect. */
  readonly parentHolds = new Map<string, ObjectState<unknown>>();
  /** Stable across this link's reconnects: lets the parent resume its diffs to us. */
  readonly resumeToken = randomToken();
  /** @internal Bounds on the states the parent sends (LinkOptions.dataLimits). */
  readonly dataLimits: JsonLimits;
  /** The last round trip (Ping to Pong) measured on any connection, in milliseconds; undefined before the first Pong. */
  roundTripMs: number | undefined;

  constructor(
    readonly node: LinkedNode,
    readonly options: UpstreamLinkOptions = {},
    /**
     * Called in each connection when the parent's Welcome arrives, with the parent's node name: from
     * then on the peer is known to be a hakuban parent (a failure before it may be anything else).
     */
    readonly onWelcomed: (parent: string) => void = () => {},
  ) {
    this.exchange = node.exchange;
    this.dataLimits = linkDataLimits(options);
    if (this.exchange.watcher !== undefined) throw new UpstreamAlreadyLinkedError(node.name);
    this.exchange.watcher = this;
    this.connectedListeners = new ListenerSet(this.exchange.reportError, this, "connection");
  }

  /** `upstream link of <node>`, for logs and error reports. */
  toString(): string {
    return `upstream link of ${this.node.name}`;
  }

  /** True while a generation is in sync with the parent (from its Synced until the connection ends). */
  get connected(): boolean {
    return this.generation?.synced ?? false;
  }

  /** Calls `callback` with true when a connection is in sync with the parent, false when it ends. */
  onConnected(callback: (connected: boolean) => void): () => void {
    return this.connectedListeners.add(callback);
  }

  /**
   * Runs one connection generation over `mux`: handshake, replay of this node's interests, then sync.
   * Resolves when it ends: undefined after close(), a LinkRefusedError if the parent refused, else the
   * error that ended it. Never rejects.
   */
  async run(mux: SessionMux & OutboundQueue): Promise<Error | undefined> {
    if (this.closing) {
      mux.close();
      return undefined;
    }
    if (this.generation !== undefined) throw new Error("UpstreamLink.run() called while a connection is already running");
    const generation = new Generation(this, mux);
    this.generation = generation;
    let result: Error | undefined;
    try {
      result = await generation.run();
    } finally {
      const wasSynced = generation.synced;
      generation.dispose();
      this.generation = undefined;
      if (this.exchange.authority === this) this.exchange.authority = undefined;
      this.exchange.reelectAll(); // cut off: this node now elects for its subtree
      if (wasSynced) this.connectedListeners.emit(false);
    }
    return this.closing && !(result instanceof LinkRefusedError) ? undefined : result;
  }

  /** The current token: the fixed one, or what the token function gives now; undefined without one. */
  async readToken(): Promise<string | undefined> {
    const token = this.options.token;
    return typeof token === "function" ? await token() : token;
  }

  /**
   * Re-reads the token and sends it on the live connection: the parent re-authenticates the link and
   * re-evaluates its grants without a reconnect. Resolves once the parent accepted it (at once when no
   * connection is welcomed: the next one sends the token it reads then); rejects with a
   * LinkRefusedError when the parent refused it (it then ends the connection).
   */
  async refresh(): Promise<void> {
    await this.generation?.refresh();
  }

  /** Leaves the parent cleanly (Bye) and stops taking part in the node. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await this.generation?.leave("the child is closing");
    if (this.exchange.watcher === this) this.exchange.watcher = undefined;
    this.parentHolds.clear();
  }

  // ---- ElectionAuthority --------------------------------------------------------------------------

  electedElsewhere(entry: ObjectEntry): Exposer | undefined {
    return this.generation?.standInFor(entry);
  }

  epochOf(entry: ObjectEntry): number | undefined {
    return this.generation?.epochOf(entry);
  }

  // ---- InterestWatcher ----------------------------------------------------------------------------

  objectInterestChanged(entry: ObjectEntry): void {
    this.generation?.markObject(entry);
  }

  tagInterestChanged(tag: TagEntry): void {
    this.generation?.markTag(tag);
  }

  /** @internal */
  becameSynced(): void {
    this.connectedListeners.emit(true);
  }
}

function randomToken(): string {
  const bytes = new Uint8Array(12);
  globalThis.crypto.getRandomValues(bytes);
  let token = "";
  for (const byte of bytes) token += byte.toString(16).padStart(2, "0");
  return token;
}
