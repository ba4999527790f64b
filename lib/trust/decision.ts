import { ObjectDescriptor } from "../descriptor/object-descriptor.js";
import type { TagDescriptor } from "../descriptor/tag-descriptor.js";
import type { Access } from "./selector.js";

/** A link may do what it asked. */
export interface Allowed {
  readonly allowed: true;
}

/** A link may not do what it asked; `reason` says why in words the denied side is told. */
export interface Denied {
  readonly allowed: false;
  readonly access: Access;
  /** The rule that decided, e.g. `rules[2]`; undefined when no rule applies (or no policy was involved). */
  readonly rule: string | undefined;
  /**
   * What denied it: the deny selector that matched (`rules[2].deny.observe[0]`), the grant that is
   * missing (`rules[2].observe`), `policy` when no rule applies, `exp` when the principal expired.
   */
  readonly grant: string;
  /** Names the principal, the access, the object (or tag) and the rule or missing grant. */
  readonly reason: string;
}

/** The answer of a link's grants for one object or tag. */
export type Decision = Allowed | Denied;

/** The one `Allowed` answer (answers that allow allocate nothing). */
export const ALLOWED: Allowed = Object.freeze({ allowed: true });

/** Why a Denial denies, which decides how its reason reads. */
export type DenialCause = "denied" | "not-granted" | "no-rule" | "expired" | "unresolved-claim";

/**
 * A Denied answer. Links filter many objects a principal may not see, so the reason is only put into
 * words when someone reads it.
 */
export class Denial implements Denied {
  readonly allowed = false;

  constructor(
    readonly access: Access,
    readonly subject: ObjectDescriptor | TagDescriptor,
    /** `principal "alice"`, or `an unauthenticated link`. */
    readonly who: string,
    readonly rule: string | undefined,
    readonly grant: string,
    readonly cause: DenialCause,
    /** The claim a deny selector refers to that the principal lacks (cause "unresolved-claim"); the expiry time for "expired". */
    readonly detail?: string,
  ) {}

  get reason(): string {
    const what = this.subject instanceof ObjectDescriptor ? this.subject.toString() : `objects tagged ${this.subject.toString()}`;
    const head = `${this.who} may not ${this.access} ${what}`;
    switch (this.cause) {
      case "denied":
        return `${head}: denied by ${this.grant}`;
      case "not-granted":
        return `${head}: no selector of ${this.grant} selects it (add one there to grant it)`;
      case "no-rule":
        return `${head}: no rule of the policy applies to this principal (add a rule whose "principal" it matches, or one without "principal")`;
      case "expired":
        return `${head}: its credentials expired at ${this.detail}; refresh the token or reconnect with a fresh one`;
      case "unresolved-claim":
        return `${head}: denied by ${this.grant}, which refers to the claim "${this.detail}" the principal does not have (a deny that cannot be evaluated denies everything)`;
    }
  }

  /** The answer as plain JSON, reason included (for logs and audit events). */
  toJSON(): { allowed: false; access: Access; rule: string | undefined; grant: string; reason: string } {
    return { allowed: false, access: this.access, rule: this.rule, grant: this.grant, reason: this.reason };
  }
}

/** The denial in `decision`, or undefined when it allows. */
export function denialOf(decision: Decision): Denied | undefined {
  return decision.allowed ? undefined : decision;
}
