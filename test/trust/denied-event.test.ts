import { describe, expect, it } from "vitest";
import { ObjectDescriptor } from "../../lib/descriptor/object-descriptor.js";
import { TagDescriptor } from "../../lib/descriptor/tag-descriptor.js";
import type { AuditEvent } from "../../lib/trust/audit-event.js";
import type { Denied } from "../../lib/trust/decision.js";
import { deniedEvent } from "../../lib/trust/denied-event.js";
import { grantsFor } from "../../lib/trust/link-grants.js";
import { parsePolicy } from "../../lib/trust/parse-policy.js";

describe("deniedEvent", () => {
  const policy = parsePolicy({ rules: [{ principal: { role: "reader" }, observe: [{ tag: "news" }] }] });
  const grants = grantsFor(policy, { id: "alice", role: "reader" });

  it("turns a denial of an object into plain JSON naming what was asked, by whom, and why", () => {
    const descriptor = new ObjectDescriptor(["chat"], { room: 1 });
    const decision = grants.observe(descriptor) as Denied;
    const event: AuditEvent = deniedEvent(decision, descriptor, { at: 1000, principal: "alice", link: "child-1 127.0.0.1" });
    expect(JSON.parse(JSON.stringify(event))).toEqual({
      kind: "denied",
      at: 1000,
      principal: "alice",
      link: "child-1 127.0.0.1",
      access: "observe",
      descriptor: { tags: ["chat"], json: { room: 1 } },
      rule: "rules[0]",
      grant: "rules[0].observe",
      reason: decision.reason,
    });
  });

  it("names the tag of a tag interest, and leaves out what is not known", () => {
    const tag = new TagDescriptor({ room: 2 });
    const decision = grantsFor(policy, { id: "bob" }).tag(tag, "expose") as Denied;
    expect(deniedEvent(decision, tag, { at: 5 })).toEqual({ kind: "denied", at: 5, access: "expose", tag: { room: 2 }, grant: "policy", reason: decision.reason });
  });
});
