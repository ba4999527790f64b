/**
 * Type-level views of a role's side of a protocol: which labels it may send and receive and with which
 * payload types. Computed from the protocol's event union only (no type-level projection), so they stay
 * cheap to compile; the role program remains the run-time authority on order.
 */
import type { LabelOf, MessageWithLabel, PayloadOf, Schema } from "./message.js";
import type { Family, FamilyEvents } from "./session-family.js";
import type { Endpoint } from "./endpoint.js";

/** Message specs role R sends in events E. */
export type SentBy<E, R extends string> = E extends { readonly from: R; readonly message: infer M } ? M : never;
/** Message specs role R receives in events E. */
export type ReceivedBy<E, R extends string> = E extends { readonly to: R; readonly message: infer M } ? M : never;

/** Labels R may send / receive. */
export type SendLabel<E, R extends string> = LabelOf<SentBy<E, R>>;
/** See SendLabel. */
export type RecvLabel<E, R extends string> = LabelOf<ReceivedBy<E, R>>;

/** The payload type of the message R sends with label L. */
export type SendPayload<E, R extends string, L extends string> = PayloadOf<MessageWithLabel<SentBy<E, R>, L>>;
/** The payload type of the message R receives with label L. */
export type RecvPayload<E, R extends string, L extends string> = PayloadOf<MessageWithLabel<ReceivedBy<E, R>, L>>;

/** The sub-session endpoint a message opens (undefined for messages that announce nothing). */
export type SessionOf<M, R extends string> = M extends { readonly opens: infer F }
  ? F extends Family
    ? Endpoint<FamilyEvents<F>, R>
    : undefined
  : undefined;

/** An offered branch: the label that arrived, and `recv()` to take its payload (once). */
export interface Branch<L extends string, T> {
  readonly label: L;
  /** Commits this branch and returns its payload; a second call is an AffineViolation. */
  recv(): T;
}

/** The union of branches R may be offered: narrowing on `label` narrows `recv()`'s type. */
export type OfferOf<E, R extends string> = OfferBranch<ReceivedBy<E, R>>;
type OfferBranch<M> = M extends { readonly label: infer L extends string; readonly schema: Schema<infer T> } ? Branch<L, T> : never;

/** Synchronous handlers for `lane.serve`, one per label the lane receives (announcements also get the sub-session). */
export type Handlers<E, R extends string> = {
  readonly [M in ReceivedBy<E, R> as LabelOf<M>]?: (payload: PayloadOf<M>, session: SessionOf<M, R>) => void;
};

/** Handler for sub-sessions of family F announced by the peer, with the announcing payload. */
export type SessionHandler<E, R extends string, F extends Family> = (
  session: Endpoint<FamilyEvents<F>, R>,
  announcement: PayloadOf<Extract<ReceivedBy<E, R>, { readonly opens: F }>>,
) => void;
