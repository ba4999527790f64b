import type { JsonValue } from "../descriptor/json-value.js";
import type { ObjectDescriptorJson } from "../descriptor/object-descriptor.js";
import type { AuthenticationFailure } from "./authentication-error.js";
import type { Access } from "./selector.js";

/** What every audit event carries. */
export interface AuditEventBase {
  readonly kind: string;
  /** When it happened, in milliseconds since the epoch. */
  readonly at: number;
  /** The id of the principal concerned, when there is one. */
  readonly principal?: string;
  /** The link concerned, as the listener names it in its log lines (peer name and address). */
  readonly link?: string;
}

/** A link authenticated: its principal holds from now (until `expiresAt`, if the principal expires). */
export interface AuthenticatedEvent extends AuditEventBase {
  readonly kind: "authenticated";
  readonly principal: string;
  readonly remoteAddress?: string;
  /** Milliseconds since the epoch when the principal expires. */
  readonly expiresAt?: number;
}

/** A link was refused at authentication; `reason` is what the child was told. */
export interface RefusedEvent extends AuditEventBase {
  readonly kind: "refused";
  readonly reason: string;
  /** The kind of failure, when an authenticator of this library refused. */
  readonly failure?: AuthenticationFailure;
  readonly remoteAddress?: string;
}

/** A link asked to observe or expose an object (or a tag) its grants do not allow. */
export interface DeniedEvent extends AuditEventBase {
  readonly kind: "denied";
  readonly access: Access;
  /** The object asked for; absent for a tag interest. */
  readonly descriptor?: ObjectDescriptorJson;
  /** The tag asked for, for a tag interest. */
  readonly tag?: JsonValue;
  /** The deciding rule, e.g. `rules[2]`. */
  readonly rule?: string;
  /** The deny selector or the missing grant (see Denied.grant). */
  readonly grant: string;
  /** What the denied side was told. */
  readonly reason: string;
}

/** What made a link's grants change. */
export type GrantsChangeCause = "policy" | "expired" | "refreshed";

/** A live link's grants changed: a new policy, its principal expired, or it re-authenticated. */
export interface GrantsChangedEvent extends AuditEventBase {
  readonly kind: "grants-changed";
  readonly cause: GrantsChangeCause;
  /** The rule that decides for the link now; absent when none does. */
  readonly rule?: string;
}

/** A new policy took effect (`source`: its file, or absent when set by a program). */
export interface PolicyChangedEvent extends AuditEventBase {
  readonly kind: "policy-changed";
  readonly rules: number;
  readonly source?: string;
}

/** A policy was rejected and the previous one stays; `reason` is the PolicyError's message. */
export interface PolicyRejectedEvent extends AuditEventBase {
  readonly kind: "policy-rejected";
  readonly reason: string;
  readonly source?: string;
}

/** Who exposes an object: a child link (its name and principal), or this node itself when `link` is absent. */
export interface ExposerRef {
  readonly link?: string;
  readonly principal?: string;
}

/** An exposer was elected for an object that had none. */
export interface ElectedEvent extends AuditEventBase {
  readonly kind: "elected";
  readonly descriptor: ObjectDescriptorJson;
  readonly exposer: ExposerRef;
}

/** An object's exposer changed from one to another, or to none (`to` null) when no candidate is left. */
export interface HandoverEvent extends AuditEventBase {
  readonly kind: "handover";
  readonly descriptor: ObjectDescriptorJson;
  readonly from: ExposerRef;
  readonly to: ExposerRef | null;
}

/**
 * Something a trust decision was made about, for the audit trail: every authentication, refusal,
 * denial, grant change, policy change, election and handover. Plain JSON, so an audit log can write it
 * as one line.
 */
export type AuditEvent =
  | AuthenticatedEvent
  | RefusedEvent
  | DeniedEvent
  | GrantsChangedEvent
  | PolicyChangedEvent
  | PolicyRejectedEvent
  | ElectedEvent
  | HandoverEvent;

/** Where audit events go (`listen({ audit })`); it must not throw, and should return quickly. */
export type AuditSink = (event: AuditEvent) => void;
