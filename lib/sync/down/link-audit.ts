import type { Exchange } from "../../exchange/exchange.js";
import type { ObjectEntry } from "../../exchange/object-entry.js";
import type { AuditSink, ExposerRef } from "../../trust/audit-event.js";
import { ChildObject } from "./child-object.js";
import { ChildTag } from "./child-tag.js";

/**
 * How a parent's link to one child appears in the audit trail: named by the child's node name and its
 * address, as an exposer by that name and its principal; and the elections of the child's subtree as
 * an object's exposer (elected, or a handover to whoever exposes the object after it).
 */
export class LinkAudit {
  /** The name the child's Hello gave, accepted or not. */
  claimedName: string | undefined;

  constructor(
    /** The child's address, when the listener knows it. */
    private readonly address: string | undefined,
    /** Told of elections and handovers (absent: none are made). */
    private readonly audit: AuditSink | undefined,
    /** The link, whose `principal` is the one the child authenticated as, if any. */
    private readonly link: { readonly principal: string | undefined },
  ) {}

  /** The link as audit events name it: the child's node name and its address, when known. */
  describe(): string | undefined {
    const { address, claimedName } = this;
    if (claimedName === undefined) return address;
    return address === undefined ? JSON.stringify(claimedName) : `${JSON.stringify(claimedName)} (${address})`;
  }

  /** The link as an audit event's exposer: its name and principal. */
  exposerRef(): ExposerRef {
    const link = this.describe();
    const principal = this.link.principal;
    return { ...(link === undefined ? {} : { link }), ...(principal === undefined ? {} : { principal }) };
  }

  /**
   * Audits that the child's subtree was elected to expose `entry` (`elected`), or lost it: then, once
   * `exchange` has elected again, a handover to whoever exposes it now (null: nobody; another link by
   * its name, anyone else unnamed).
   */
  election(exchange: Exchange, entry: ObjectEntry, elected: boolean): void {
    const audit = this.audit;
    if (audit === undefined) return;
    const descriptor = entry.descriptor.toJSON();
    if (elected) {
      audit({ kind: "elected", at: Date.now(), ...this.exposerRef(), descriptor, exposer: this.exposerRef() });
      return;
    }
    exchange.defer(() => {
      const assignee = exchange.objects.get(entry.key)?.assignee;
      const to = assignee === undefined ? null : assignee instanceof ChildObject || assignee instanceof ChildTag ? assignee.link.audit.exposerRef() : {};
      audit({ kind: "handover", at: Date.now(), ...this.exposerRef(), descriptor, from: this.exposerRef(), to });
    });
  }
}
