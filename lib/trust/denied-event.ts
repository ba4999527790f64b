import { ObjectDescriptor } from "../descriptor/object-descriptor.js";
import type { TagDescriptor } from "../descriptor/tag-descriptor.js";
import type { DeniedEvent } from "./audit-event.js";
import type { Denied } from "./decision.js";

/**
 * The audit event for a denial `denied` of `subject` (the object or tag asked for), at time `at`, on
 * the link `link` of `principal`: one shape wherever a link denies (interest, Open, announcement, state).
 */
export function deniedEvent(
  denied: Denied,
  subject: ObjectDescriptor | TagDescriptor,
  context: { readonly at: number; readonly principal?: string | undefined; readonly link?: string | undefined },
): DeniedEvent {
  return {
    kind: "denied",
    at: context.at,
    ...(context.principal === undefined ? {} : { principal: context.principal }),
    ...(context.link === undefined ? {} : { link: context.link }),
    access: denied.access,
    ...(subject instanceof ObjectDescriptor ? { descriptor: subject.toJSON() } : { tag: subject.json }),
    ...(denied.rule === undefined ? {} : { rule: denied.rule }),
    grant: denied.grant,
    reason: denied.reason,
  };
}
