/**
 * Session families: a named sub-protocol whose sessions are opened on demand on the same connection
 * (for hakuban, one per shared object). A family session is admitted only when a message that
 * `opens` the family is sent or received; each side plays the same role name in it as in the parent.
 */
import type { Event, Global } from "./global.js";

/** A named sub-protocol; `global` uses the same role names as the protocols that announce it. */
export interface Family<N extends string = string, E extends Event = Event> {
  readonly name: N;
  readonly global: Global<E>;
}

/** Declares a session family. Names must be unique within a protocol (they appear in the program hash). */
export function family<N extends string, E extends Event>(name: N, global: Global<E>): Family<N, E> {
  if (typeof name !== "string" || name.length === 0) {
    throw new TypeError(`family name must be a non-empty string, got ${String(name)}`);
  }
  return { name, global };
}

/** The events (messages with roles) of a family's protocol. */
export type FamilyEvents<F> = F extends Family<string, infer E> ? E : never;
