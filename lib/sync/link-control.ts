import { createEndpoint, type Endpoint, type Event, type RoleProgram, type SessionMux } from "../choreography/index.js";
import type { JsonLimits } from "../descriptor/json-value.js";
import { AckCoalescer } from "./ack-coalescer.js";
import { KeepAlive, type KeepAliveListener, keepAliveTimes } from "./keep-alive.js";
import { type LinkFormats, NO_LINK_FORMATS } from "./link-formats.js";
import { type EndableSession, leaveLink, sendOrEnd } from "./link-ending.js";
import type { LinkOptions } from "./link-options.js";
import { type ActivityListener, PeerActivity } from "./peer-activity.js";

/**
 * One end's control session of a link, whichever role it plays: the checked endpoint (everything the
 * peer sends counts as a sign of life for its keep-alive), the requests for full states it sends back,
 * the data limits those states are held to, guarded sends, and the polite leave. Both link ends run
 * their control session through one, so they cannot drift apart in how a link lives and ends.
 */
export class LinkControl<E extends Event, R extends string> implements EndableSession, ActivityListener, KeepAliveListener {
  readonly endpoint: Endpoint<E, R>;
  /** Requests for full states of the peer's objects (acknowledgements with `resync`), merged per turn. */
  readonly acks = new AckCoalescer();
  /** Which formats besides JSON go as diffs each way, set once the handshake told (see LinkFormats). */
  formats: LinkFormats = NO_LINK_FORMATS;
  private left = false;
  private keepAlive: KeepAlive | undefined;
  /** The peer as the keep-alive's reason names it, and what runs on each of its ticks (set by keepPeerAlive). */
  private peer = "";
  private onTick: () => void = noop;

  constructor(
    program: RoleProgram<E, R>,
    mux: SessionMux,
    private readonly options: LinkOptions,
    /** Bounds on the states the peer sends (LinkOptions.dataLimits, resolved). */
    readonly dataLimits: JsonLimits,
  ) {
    this.endpoint = createEndpoint(program, new PeerActivity(mux, this), { checkOutbound: false, tap: options.tap ?? null });
  }

  /** @internal The peer sent something: a sign of life for the keep-alive. */
  heard(): void {
    this.keepAlive?.heard();
  }

  /** Whether this end said goodbye or answered the peer's: nothing new is started then. */
  get leaving(): boolean {
    return this.left;
  }

  get state(): "open" | "done" | "faulted" {
    return this.endpoint.state;
  }

  get closed(): Promise<Error | undefined> {
    return this.endpoint.closed;
  }

  abort(reason?: string): void {
    this.endpoint.abort(reason);
  }

  /** A send caused by something else; see sendOrEnd. */
  guard(send: () => void): void {
    sendOrEnd(this.endpoint, send);
  }

  /**
   * Starts the keep-alive once the handshake is done: `tick` runs every keepAliveMs (the child pings
   * there), and a `peer` silent for deadAfterMs ends the link, named in its reason.
   */
  keepPeerAlive(peer: string, tick: () => void): void {
    const times = keepAliveTimes(this.options);
    this.peer = peer;
    this.onTick = tick;
    this.keepAlive = new KeepAlive(times.intervalMs, times.deadAfterMs, this);
  }

  /** @internal */
  keepAliveTick(): void {
    this.onTick();
  }

  /** @internal */
  peerSilent(silentMs: number): void {
    this.endpoint.abort(`no keep-alive from ${this.peer} for ${silentMs} ms`);
  }

  /**
   * Leaves, and resolves once the session ended: with `goodbye` (this end's closing message, which the
   * peer answers with its own) when the peer was welcomed and no goodbye went yet, waiting at most
   * deadAfterMs for the answer (then `silentPeer` is the reason); else at once, aborting with `reason`.
   */
  async leave(welcomed: boolean, goodbye: () => void, reason: string, silentPeer: string): Promise<void> {
    this.keepAlive?.stop();
    const polite = !this.left && welcomed;
    this.left = true;
    await leaveLink(this.endpoint, polite ? goodbye : undefined, reason, silentPeer, keepAliveTimes(this.options).deadAfterMs);
  }

  /**
   * The peer said goodbye first: `answer` sends this end's closing message, unless this end already
   * sent its own (then the peer's was the answer). The peer then ends the session.
   */
  answerGoodbye(answer: () => void): void {
    if (this.left) return;
    this.left = true;
    answer();
  }

  /** The link ended: no timer is left behind and waiting acknowledgements are dropped. */
  stop(): void {
    this.keepAlive?.stop();
    this.acks.close();
  }
}

function noop(): void {}
