/**
 * Message specs: a label plus the schema its payload must satisfy. Specs are the unit a global
 * protocol is written in; the runtime validates every inbound payload with the spec's schema.
 */
import type { GlobalNode } from "./global.js";

/**
 * Checks an untrusted value and returns it typed (or a normalised copy). `parse` throws when the value
 * does not fit; the thrown error becomes the `cause` of the SchemaMismatch fault.
 */
export interface Schema<T> {
  /** Optional human-readable name for errors and debugging (not part of the program hash). */
  readonly name?: string;
  parse(value: unknown): T;
}

/** Wraps a validating function as a Schema; `validate` returns the typed value or throws. */
export function schema<T>(validate: (value: unknown) => T, name?: string): Schema<T> {
  return name === undefined ? { parse: validate } : { name, parse: validate };
}

/** What a message needs to know of the family it announces (every Family is one). */
export interface FamilyRef {
  readonly name: string;
  readonly global: GlobalNode;
}

/** Announcement options: sending this message opens a sub-session of `opens` with id `sessionId(payload)`. */
export interface Announces<T, F extends FamilyRef | undefined> {
  readonly opens: F;
  readonly sessionId: (payload: T) => number;
}

/**
 * One kind of message: its label (unique within a protocol and its families), its payload schema and,
 * for announcements, the session family it opens.
 */
export interface MessageSpec<L extends string = string, T = unknown, F extends FamilyRef | undefined = FamilyRef | undefined> {
  readonly label: L;
  readonly schema: Schema<T>;
  /** The family whose sub-session this message opens, if it is an announcement. */
  readonly opens: F;
  /** The announced sub-session's id, read from the payload (announcements only). Method syntax keeps specs covariant in T. */
  sessionIdOf(payload: T): number;
}

/** Declares a message; with `announces` it opens a sub-session of that family when sent or received. */
export function message<L extends string, T>(label: L, payloadSchema: Schema<T>): MessageSpec<L, T, undefined>;
export function message<L extends string, T, F extends FamilyRef>(
  label: L,
  payloadSchema: Schema<T>,
  announces: Announces<T, F>,
): MessageSpec<L, T, F>;
export function message<L extends string, T, F extends FamilyRef>(
  label: L,
  payloadSchema: Schema<T>,
  announces?: Announces<T, F>,
): MessageSpec<L, T, F | undefined> {
  if (typeof label !== "string" || label.length === 0) {
    throw new TypeError(`message label must be a non-empty string, got ${String(label)}`);
  }
  return {
    label,
    schema: payloadSchema,
    opens: announces?.opens,
    sessionIdOf: announces === undefined ? noSession : announces.sessionId,
  };
}

function noSession(): number {
  return -1;
}

/** The payload type a message spec carries. */
export type PayloadOf<M> = M extends { readonly schema: Schema<infer T> } ? T : never;
/** The label of a message spec (or the union of labels of a union of specs). */
export type LabelOf<M> = M extends { readonly label: infer L extends string } ? L : never;
/** The member of a union of specs that has label `L`. */
export type MessageWithLabel<M, L extends string> = M extends { readonly label: L } ? M : never;
