/**
 * One lane of an endpoint, as the application uses it: send, recv, offer, serve. Parallel lanes of a
 * par run independently; lane 0 is the session's main lane. A Lane is a view: the lane's position in
 * the role program and what it received live in its endpoint, so views are cheap and any number of
 * them may stand for the same lane.
 */
import type { Endpoint } from "./endpoint.js";
import type { Handlers, OfferOf, RecvLabel, RecvPayload, SendLabel, SendPayload, SentBy, SessionOf } from "./endpoint-types.js";
import type { Event } from "./global.js";
import type { MessageWithLabel } from "./message.js";

/** One parallel lane of an endpoint. */
export class Lane<E extends Event = Event, R extends string = string> {
  /** @internal Lanes are handed out by their endpoint (`endpoint.lane(...)`). */
  constructor(
    readonly endpoint: Endpoint<E, R>,
    readonly id: number,
  ) {}

  /** The handlers the lane is served with (see serve()), or undefined while it is not served. */
  get handlers(): object | undefined {
    return this.endpoint.servedWith(this.id);
  }

  /** True once the lane reached its end (it may start again if a loop re-runs its par). */
  get finished(): boolean {
    return this.endpoint.laneFinished(this.id);
  }

  /**
   * Sends one message on this lane; the label must be permitted by the current step. For an
   * announcement, the sub-session is opened first and returned.
   */
  send<L extends SendLabel<E, R>>(label: L, payload: SendPayload<E, R, L>): SessionOf<MessageWithLabel<SentBy<E, R>, L>, R> {
    return this.endpoint.sendOn(this.id, label, payload) as SessionOf<MessageWithLabel<SentBy<E, R>, L>, R>;
  }

  /** Receives the next message of this lane, which must have label `label`. */
  recv<L extends RecvLabel<E, R>>(label: L): Promise<RecvPayload<E, R, L>> {
    return this.endpoint.take(this.id, label) as Promise<RecvPayload<E, R, L>>;
  }

  /** Waits for the next message of this lane and previews its label; `branch.recv()` commits it. */
  offer(): Promise<OfferOf<E, R>> {
    return this.endpoint.take(this.id, undefined) as Promise<OfferOf<E, R>>;
  }

  /**
   * Dispatches every message this lane receives, now and from now on, synchronously to `handlers`
   * (one per label the lane can receive), without a promise per message. Messages already received are
   * dispatched before serve() returns. A handler that throws ends the session with a SessionFault.
   * Handlers are called as methods of `handlers`, so a class instance with methods named after the
   * labels can serve a lane.
   */
  serve(handlers: Handlers<E, R>): void {
    this.endpoint.serveLane(this.id, handlers as Readonly<Record<string, unknown>>);
  }
}
