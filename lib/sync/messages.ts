import type { ObjectDescriptor } from "../descriptor/object-descriptor.js";
import type { TagDescriptor } from "../descriptor/tag-descriptor.js";
import { type Endpoint, family, type FamilyEvents, message, schema } from "../choreography/index.js";
import type { Version } from "../state/version.js";
import { objectSession } from "./object-session.js";
import {
  accessField,
  amountField,
  emptySchema,
  booleanField,
  descriptorField,
  fieldsOf,
  idField,
  optionalEpochField,
  optionalFormatsField,
  optionalVersionField,
  stringField,
  tagField,
} from "./wire-schema.js";

/**
 * The messages of the link's control session, with the schemas that check them on arrival.
 * Down is the child node, Up its parent. See protocol.ts for the order they travel in.
 */

/** Sub-sessions, one per object the child has an interest in (see object-session.ts). */
export const objectFamily = family("object", objectSession);
/** What travels in an object's session, by role and label (for typed sends). */
export type ObjectEvents = FamilyEvents<typeof objectFamily>;
/** One object's session as role `R` runs it: Down (the child) or Up (the parent). */
export type ObjectSession<R extends "Up" | "Down"> = Endpoint<ObjectEvents, R>;

/** Down → Up, first: who is asking, speaking which protocol. */
export interface HelloPayload {
  readonly protocol: number;
  /** programHash of the link protocol: both sides must run the same one. */
  readonly program: string;
  readonly node: string;
  /** Stable across one child's reconnects, so the parent can resume diffs where they were. */
  readonly resume: string;
  /** The child's credentials (`connect(…, { token })`), for the parent's authenticator; absent: none. */
  readonly token?: string;
  /** The formats besides JSON whose diffs the child can patch (see LinkFormats); absent: none. */
  readonly patches?: readonly string[];
}

/** Longest token a child may send (a JWT with many claims fits; more is refused as a protocol violation). */
export const MAX_TOKEN_LENGTH = 16384;

function optionalTokenField(f: Record<string, unknown>, message: string): string | undefined {
  return f.token === undefined ? undefined : stringField(f, "token", message, MAX_TOKEN_LENGTH);
}

/** An optional expiry (milliseconds since the epoch) in `message`. */
function optionalExpiryField(f: Record<string, unknown>, message: string): number | undefined {
  return f.expiresAt === undefined ? undefined : amountField(f, "expiresAt", message);
}
export const Hello = message(
  "Hello",
  schema((value): HelloPayload => {
    const f = fieldsOf(value, "Hello");
    const hello = {
      protocol: idField(f, "protocol", "Hello"),
      program: stringField(f, "program", "Hello", 64),
      node: stringField(f, "node", "Hello", 256),
      resume: stringField(f, "resume", "Hello", 64),
    };
    const token = optionalTokenField(f, "Hello");
    const patches = optionalFormatsField(f, "patches", "Hello");
    return { ...hello, ...(token === undefined ? {} : { token }), ...(patches === undefined ? {} : { patches }) };
  }, "Hello"),
);

/** Up → Down: accepted; `principal` is who the parent took the child for, `expiresAt` when that principal expires. */
export interface WelcomePayload {
  readonly node: string;
  readonly principal?: string;
  /** Milliseconds since the epoch: the child refreshes its token before then (Refresh). */
  readonly expiresAt?: number;
  /** The formats besides JSON whose diffs the parent can patch (see LinkFormats); absent: none. */
  readonly patches?: readonly string[];
}
export const Welcome = message(
  "Welcome",
  schema((value): WelcomePayload => {
    const f = fieldsOf(value, "Welcome");
    const principal = f.principal === undefined ? undefined : stringField(f, "principal", "Welcome", 1024);
    const expiresAt = optionalExpiryField(f, "Welcome");
    const patches = optionalFormatsField(f, "patches", "Welcome");
    return {
      node: stringField(f, "node", "Welcome", 256),
      ...(principal === undefined ? {} : { principal }),
      ...(expiresAt === undefined ? {} : { expiresAt }),
      ...(patches === undefined ? {} : { patches }),
    };
  }, "Welcome"),
);

/** Down → Up: new credentials on the live link; the parent re-authenticates and answers Refreshed (or leaves with Farewell, `refused`). */
export const Refresh = message(
  "Refresh",
  schema((value): { readonly token: string } => ({ token: stringField(fieldsOf(value, "Refresh"), "token", "Refresh", MAX_TOKEN_LENGTH) }), "Refresh"),
);

/** Up → Down: the refreshed credentials hold; `expiresAt` is the new expiry, if any. */
export const Refreshed = message(
  "Refreshed",
  schema((value): { readonly expiresAt?: number } => {
    const expiresAt = optionalExpiryField(fieldsOf(value, "Refreshed"), "Refreshed");
    return expiresAt === undefined ? {} : { expiresAt };
  }, "Refreshed"),
);

/** What TagDenied and TagGranted carry. */
export interface TagAccessPayload {
  readonly tag: TagDescriptor;
  readonly access: "observe" | "expose";
  /** Why it is denied (TagDenied only). */
  readonly reason?: string;
}
const tagAccess = (name: string, withReason: boolean) =>
  schema((value): TagAccessPayload => {
    const f = fieldsOf(value, name);
    const access = { tag: tagField(f, "tag"), access: accessField(f, name) };
    return withReason ? { ...access, reason: stringField(f, "reason", name, 4096) } : access;
  }, name);
/** Up → Down: the child's interest in a tag is denied by the parent's policy (or over its quota). */
export const TagDenied = message("TagDenied", tagAccess("TagDenied", true));
/** Up → Down: a tag interest denied before is now granted. */
export const TagGranted = message("TagGranted", tagAccess("TagGranted", false));

/** Up → Down: not accepted, and why (the child logs it and stops retrying). */
export const Refuse = message(
  "Refuse",
  schema((value): { readonly reason: string } => ({ reason: stringField(fieldsOf(value, "Refuse"), "reason", "Refuse", 4096) }), "Refuse"),
);

/** Down → Up: opens the session of one object, with the child's interest in it. */
export interface OpenPayload {
  readonly session: number;
  readonly object: ObjectDescriptor;
  /** Something in the child's subtree observes the object (not counting tag observers). */
  readonly observed: boolean;
  /** Summed capacity of the object's exposers in the child's subtree (0: none). */
  readonly capacity: number;
  /** The version the child holds, so the parent sends a diff (or nothing) instead of the state. */
  readonly have?: Version;
  /** The epoch of the state the child holds (absent: 0). */
  readonly epoch?: number;
}
export const Open = message(
  "Open",
  schema((value): OpenPayload => {
    const f = fieldsOf(value, "Open");
    const have = optionalVersionField(f, "have");
    const epoch = have === undefined ? undefined : optionalEpochField(f, "epoch", "Open");
    const open = {
      session: idField(f, "session", "Open"),
      object: descriptorField(f, "object"),
      observed: booleanField(f, "observed", "Open"),
      capacity: amountField(f, "capacity", "Open"),
    };
    if (have === undefined) return open;
    return epoch === undefined ? { ...open, have } : { ...open, have, epoch };
  }, "Open"),
  { opens: objectFamily, sessionId: (payload) => payload.session },
);

/** Down → Up: what the child's subtree does with a tag (observes it; can expose with this capacity). */
export interface TagInterestPayload {
  readonly tag: TagDescriptor;
  readonly observed: boolean;
  readonly capacity: number;
}
export const TagInterest = message(
  "TagInterest",
  schema((value): TagInterestPayload => {
    const f = fieldsOf(value, "TagInterest");
    return { tag: tagField(f, "tag"), observed: booleanField(f, "observed", "TagInterest"), capacity: amountField(f, "capacity", "TagInterest") };
  }, "TagInterest"),
);

/** Up → Down: an object the child should know of (it carries a tag the child observes, or the child must expose it). */
export const Announce = message(
  "Announce",
  schema((value): { readonly object: ObjectDescriptor } => ({ object: descriptorField(fieldsOf(value, "Announce"), "object") }), "Announce"),
);

/** Up → Down: a previously announced object is no longer of concern to the child. */
export const Withdraw = message(
  "Withdraw",
  schema((value): { readonly object: ObjectDescriptor } => ({ object: descriptorField(fieldsOf(value, "Withdraw"), "object") }), "Withdraw"),
);

/** Down → Up: end of the interests a (re)connection starts with. */
export const Sync = message("Sync", emptySchema("Sync"));
/** Up → Down: every decision about those interests has been sent; the parent now decides elections. */
export const Synced = message("Synced", emptySchema("Synced"));
/**
 * The longest round trip a Ping may report, in milliseconds (an hour): a link that waits longer for a
 * Pong has long been declared dead by its keep-alive, so a larger figure can only be made up.
 */
export const MAX_ROUND_TRIP_MS = 3_600_000;

/** Down → Up: keep-alive; `rtt` is the round trip (Ping to Pong, milliseconds) the child measured last, so the parent knows it too. */
export interface PingPayload {
  readonly rtt?: number;
}
export const Ping = message(
  "Ping",
  schema((value): PingPayload => {
    const f = fieldsOf(value, "Ping");
    if (f.rtt === undefined) return {};
    const rtt = amountField(f, "rtt", "Ping");
    if (rtt > MAX_ROUND_TRIP_MS) throw new TypeError(`Ping.rtt must be at most ${MAX_ROUND_TRIP_MS} milliseconds`);
    return { rtt };
  }, "Ping"),
);
/** Up → Down: keep-alive answer. */
export const Pong = message("Pong", emptySchema("Pong"));

/** Why a side leaves; `refused`: the parent no longer accepts the child's credentials (a refused Refresh, an expiry). */
export interface PartingPayload {
  readonly reason: string;
  readonly refused?: boolean;
}
const parting = (name: string) =>
  schema((value): PartingPayload => {
    const f = fieldsOf(value, name);
    const reason = stringField(f, "reason", name, 4096);
    return f.refused === undefined ? { reason } : { reason, refused: booleanField(f, "refused", name) };
  }, name);
/** Down → Up: the child leaves (or answers Farewell). */
export const Bye = message("Bye", parting("Bye"));
/** Up → Down: the parent leaves (or answers Bye); `refused` when it refused the child's credentials. */
export const Farewell = message("Farewell", parting("Farewell"));
