/**
 * The participants a link end registers in its exchange on the peer's behalf (its observers and
 * exposer candidates) name the end they belong to under LINK_END, so the end can tell its own from
 * everyone else's: the peer's own interest must never count as someone else's.
 */

/** The key under which a link's participant names its link end. */
export const LINK_END: unique symbol = Symbol("hakuban.linkEnd");

/** A participant a link end registered for its peer. */
export interface LinkParticipant {
  /** The link end (or the connection of one) it belongs to. */
  readonly [LINK_END]: object;
}

/** Whether `participant` is one of the participants link end `end` registered. */
export function ownedBy(participant: unknown, end: object): boolean {
  return typeof participant === "object" && participant !== null && LINK_END in participant && participant[LINK_END] === end;
}
