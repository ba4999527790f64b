import type { ObjectDescriptor } from "../descriptor/object-descriptor.js";
import type { TagDescriptor } from "../descriptor/tag-descriptor.js";
import { family, message, schema } from "../choreography/index.js";
import type { Version } from "../state/version.js";
import { objectSession } from "./object-session.js";
import {
  amountField,
  emptySchema,
  booleanField,
  descriptorField,
  fieldsOf,
  idField,
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

/** Down → Up, first: who is asking, speaking which protocol. */
export interface HelloPayload {
  readonly protocol: number;
  /** programHash of the link protocol: both sides must run the same one. */
  readonly program: string;
  readonly node: string;
  /** Stable across one child's reconnects, so the parent can resume diffs where they were. */
  readonly resume: string;
}
export const Hello = message(
  "Hello",
  schema((value): HelloPayload => {
    const f = fieldsOf(value, "Hello");
    return {
      protocol: idField(f, "protocol", "Hello"),
      program: stringField(f, "program", "Hello", 64),
      node: stringField(f, "node", "Hello", 256),
      resume: stringField(f, "resume", "Hello", 64),
    };
  }, "Hello"),
);

/** Up → Down: accepted. */
export const Welcome = message(
  "Welcome",
  schema((value): { readonly node: string } => ({ node: stringField(fieldsOf(value, "Welcome"), "node", "Welcome", 256) }), "Welcome"),
);

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
}
export const Open = message(
  "Open",
  schema((value): OpenPayload => {
    const f = fieldsOf(value, "Open");
    const have = optionalVersionField(f, "have");
    const open = {
      session: idField(f, "session", "Open"),
      object: descriptorField(f, "object"),
      observed: booleanField(f, "observed", "Open"),
      capacity: amountField(f, "capacity", "Open"),
    };
    return have === undefined ? open : { ...open, have };
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
/** Down → Up: keep-alive. */
export const Ping = message("Ping", emptySchema("Ping"));
/** Up → Down: keep-alive answer. */
export const Pong = message("Pong", emptySchema("Pong"));

const parting = (name: string) =>
  schema((value): { readonly reason: string } => ({ reason: stringField(fieldsOf(value, name), "reason", name, 4096) }), name);
/** Down → Up: the child leaves (or answers Farewell). */
export const Bye = message("Bye", parting("Bye"));
/** Up → Down: the parent leaves (or answers Bye). */
export const Farewell = message("Farewell", parting("Farewell"));
