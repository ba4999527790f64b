import { ObjectDescriptor } from "../descriptor/object-descriptor.js";
import type { TagDescriptor } from "../descriptor/tag-descriptor.js";
import type { AuditEvent, AuditSink, DeniedEvent, GrantsChangeCause, RefusedEvent } from "../trust/audit-event.js";
import type { Authenticate, AuthRequest } from "../trust/auth-request.js";
import { AuthenticationError } from "../trust/authentication-error.js";
import type { Denied } from "../trust/decision.js";
import { deniedEvent } from "../trust/denied-event.js";
import { grantsFor, type LinkGrants } from "../trust/link-grants.js";
import type { Policy } from "../trust/policy.js";
import { type Principal, principalOf } from "../trust/principal.js";
import type { Access } from "../trust/selector.js";
import { caughtError, caughtMessage } from "./caught-error.js";

/** What a listener knows of a connection besides the token (the WebSocket upgrade), for `authenticate`. */
export type LinkRequest = Omit<AuthRequest, "token">;

/** Who may link to a parent and what each child may do: the trust settings of a parent's links. */
export interface LinkTrustOptions {
  /**
   * Decides who the child is from its Hello's token and `request`; throwing (or rejecting) refuses the
   * link, the error's message being the reason the child is told. Absent: every child is accepted with
   * no principal.
   */
  readonly authenticate?: Authenticate;
  /** What the listener knows of the connection (upgrade headers, remote address, URL), for `authenticate`. */
  readonly request?: LinkRequest;
  /** What each principal may observe and expose (see grantsFor); absent: everything. */
  readonly policy?: Policy;
  /** Told of every authentication, refusal, denial and grant change on the link; must not throw. */
  readonly audit?: AuditSink;
  /**
   * Told of the link's refusals and denials, whether or not `audit` is set (a node's monitor counts and
   * lists them); `audit` alone is told of the rest of the audit trail (authentications, elections).
   */
  readonly onRefusedOrDenied?: (event: RefusedEvent | DeniedEvent) => void;
}

/** The link a LinkTrust holds the trust of. */
export interface TrustedLink {
  /** Names the link in audit events (its peer name and address). */
  readonly audit: { describe(): string | undefined };
  /** Called after the grants changed (a new policy, an expiry, a refresh): the link re-evaluates what it serves. */
  regrant(): void;
}

/** The longest a timer may wait (setTimeout's limit); a later expiry is checked again then. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The trust state of one parent's link to a child: its principal, its grants under the policy, the
 * timer that takes the grants away when the principal expires, and its audit trail. The link asks
 * `grants` per object session and tag interest, never per state.
 */
export class LinkTrust {
  private principal: Principal | undefined;
  private policy: Policy | undefined;
  private expiry: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  /** What the link may do now. */
  grants: LinkGrants;

  constructor(
    private readonly options: LinkTrustOptions,
    private readonly link: TrustedLink,
  ) {
    this.policy = options.policy;
    this.grants = grantsFor(this.policy, undefined);
  }

  /** The principal's id, once authenticated. */
  get principalId(): string | undefined {
    return this.principal?.id;
  }

  /**
   * Authenticates the child presenting `token` at the link's start: takes its principal and grants, and
   * audits it. Rejects with the error to refuse the link with (audited as a refusal).
   */
  async admit(token: string | undefined): Promise<void> {
    const authenticate = this.options.authenticate;
    if (authenticate !== undefined) this.principal = await this.authenticated(authenticate, token);
    this.apply(undefined);
  }

  /**
   * Authenticates the child again with a refreshed `token`: the same principal id takes new grants
   * (audited). Rejects, audited as a refusal, when the token is refused or names another principal.
   */
  async refresh(token: string): Promise<void> {
    const authenticate = this.options.authenticate;
    if (authenticate === undefined) return;
    const principal = await this.authenticated(authenticate, token);
    const held = this.principal?.id;
    if (principal.id !== held) {
      const reason = `the refreshed token is for principal ${JSON.stringify(principal.id)}, not ${JSON.stringify(held)} of this link; reconnect to link as another principal`;
      this.emitRefused(reason, undefined);
      throw new Error(reason);
    }
    this.principal = principal;
    this.apply("refreshed");
  }

  /** Takes `policy` from now on and re-evaluates the link's grants. */
  setPolicy(policy: Policy | undefined): void {
    this.policy = policy;
    if (!this.stopped) this.apply("policy");
  }

  /** Audits a refusal that did not come from authentication (a protocol mismatch). */
  refused(reason: string): void {
    this.emitRefused(reason, undefined);
  }

  /** Audits `denied`, what the link refused the child for `subject`. */
  denied(denied: Denied, subject: ObjectDescriptor | TagDescriptor): void {
    if (this.options.audit === undefined && this.options.onRefusedOrDenied === undefined) return;
    this.emit(deniedEvent(denied, subject, { at: Date.now(), principal: this.principal?.id, link: this.link.audit.describe() }));
  }

  /** A quota refusal of `subject` for `access` on this link, naming the limit: a Denied like a policy's. */
  overQuota(access: Access, subject: ObjectDescriptor | TagDescriptor, limit: "objects" | "tags" | "bytesPerSecond", value: number): Denied {
    const rule = this.grants.rule;
    const who = this.principal === undefined ? "an unauthenticated link" : `principal ${JSON.stringify(this.principal.id)}`;
    const what = subject instanceof ObjectDescriptor ? subject.toString() : `objects tagged ${subject.toString()}`;
    const grant = `${rule ?? "policy"}.limits.${limit}`;
    const amount = value.toLocaleString("en-US");
    const why =
      limit === "bytesPerSecond"
        ? `the link pushes states faster than the ${amount} bytes per second its quota allows (${grant}); states over it are dropped, publish less often`
        : `the link already has the ${amount} ${limit} its quota allows (${grant}); drop some first`;
    return { allowed: false, access, rule, grant, reason: `${who} may not ${access} ${what}: ${why}` };
  }

  /** Stops the expiry timer (the link ended). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.expiry);
  }

  private async authenticated(authenticate: Authenticate, token: string | undefined): Promise<Principal> {
    try {
      return principalOf(await authenticate({ ...(this.options.request ?? NO_REQUEST), token }));
    } catch (error) {
      this.emitRefused(caughtMessage(error), error instanceof AuthenticationError ? error : undefined);
      throw caughtError(error);
    }
  }

  /** Takes grants for the principal under the policy now, audits the change (`cause`, none at the start) and arms the expiry. */
  private apply(cause: GrantsChangeCause | undefined): void {
    this.grants = grantsFor(this.policy, this.principal);
    const principal = this.principal?.id;
    const link = this.link.audit.describe();
    const context = { at: Date.now(), ...(principal === undefined ? {} : { principal }), ...(link === undefined ? {} : { link }) };
    if ((cause === undefined || cause === "refreshed") && principal !== undefined) {
      const remoteAddress = this.options.request?.remoteAddress;
      const expiresAt = this.grants.expiresAt;
      this.emit({
        kind: "authenticated",
        ...context,
        principal,
        ...(remoteAddress === undefined ? {} : { remoteAddress }),
        ...(expiresAt === undefined ? {} : { expiresAt }),
      });
    }
    if (cause !== undefined) {
      const rule = this.grants.rule;
      this.emit({ kind: "grants-changed", ...context, cause, ...(rule === undefined ? {} : { rule }) });
      this.link.regrant();
    }
    this.armExpiry();
  }

  private armExpiry(): void {
    clearTimeout(this.expiry);
    this.expiry = undefined;
    const expiresAt = this.grants.expiresAt;
    if (expiresAt === undefined || this.stopped) return;
    const delay = expiresAt - Date.now();
    if (delay <= 0) return; // already expired: the grants allow nothing
    this.expiry = setTimeout(() => {
      if (Date.now() < expiresAt) this.armExpiry();
      else this.apply("expired");
    }, Math.min(delay + 1, MAX_TIMER_MS));
  }

  private emitRefused(reason: string, error: AuthenticationError | undefined): void {
    const remoteAddress = this.options.request?.remoteAddress;
    const link = this.link.audit.describe();
    this.emit({
      kind: "refused",
      at: Date.now(),
      ...(this.principal === undefined ? {} : { principal: this.principal.id }),
      ...(link === undefined ? {} : { link }),
      reason,
      ...(error === undefined ? {} : { failure: error.failure }),
      ...(remoteAddress === undefined ? {} : { remoteAddress }),
    });
  }

  private emit(event: AuditEvent): void {
    const options = this.options;
    if (event.kind === "refused" || event.kind === "denied") options.onRefusedOrDenied?.(event);
    options.audit?.(event);
  }
}

const NO_REQUEST: LinkRequest = { headers: {}, remoteAddress: undefined, url: "" };
