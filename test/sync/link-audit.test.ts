/**
 * LinkAudit, how a parent's link to a child appears in the audit trail: its name (the child's node
 * name and address), its exposer (name and principal), and its subtree's elections and handovers.
 */
import { afterEach, expect, it, vi } from "vitest";
import { LocalNode, ObjectDescriptor } from "../../lib/index.js";
import type { AuditEvent } from "../../lib/trust/audit-event.js";
import { LinkAudit } from "../../lib/sync/down/link-audit.js";
import { HandChild } from "./hand-child.js";

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function root(): LocalNode {
  const node = new LocalNode({ name: "root" });
  cleanup.push(() => node.close());
  return node;
}

function auditing(address: string | undefined, principal?: string) {
  const events: AuditEvent[] = [];
  const audit = new LinkAudit(address, (event) => events.push(event), { principal });
  return { audit, events };
}

it("names the link by its address until the child claims a name, then by both", () => {
  const { audit } = auditing("10.0.0.1");
  expect(audit.describe()).toBe("10.0.0.1");
  audit.claimedName = "leaf";
  expect(audit.describe()).toBe('"leaf" (10.0.0.1)');
  const unaddressed = auditing(undefined).audit;
  expect(unaddressed.describe()).toBeUndefined();
  unaddressed.claimedName = "leaf";
  expect(unaddressed.describe()).toBe('"leaf"');
});

it("names the exposer by the link and its principal, leaving out what is unknown", () => {
  expect(auditing(undefined).audit.exposerRef()).toEqual({});
  const { audit } = auditing("10.0.0.1", "alice");
  expect(audit.exposerRef()).toEqual({ link: "10.0.0.1", principal: "alice" });
});

it("audits an election with the link as exposer, and a loss as a handover to whoever exposes the object next", async () => {
  const node = root();
  const descriptor = new ObjectDescriptor([], "handed");
  node.object(descriptor).observe();
  const entry = node.exchange.objects.get(descriptor.key)!;
  const { audit, events } = auditing("10.0.0.1", "alice");
  const from = { link: "10.0.0.1", principal: "alice" };

  audit.election(node.exchange, entry, true);
  expect(events).toEqual([{ kind: "elected", at: expect.any(Number), ...from, descriptor: descriptor.toJSON(), exposer: from }]);

  audit.election(node.exchange, entry, false);
  expect(events[1]).toEqual({ kind: "handover", at: expect.any(Number), ...from, descriptor: descriptor.toJSON(), from, to: null });

  node.object(descriptor).expose();
  audit.election(node.exchange, entry, false);
  expect(events[2]).toMatchObject({ kind: "handover", to: {} });
});

it("names another link's exposer in a handover by that link", async () => {
  const node = root();
  const child = await HandChild.link(node, "hand");
  cleanup.push(() => child.close());
  const descriptor = new ObjectDescriptor([], "relayed");
  node.object(descriptor).observe();
  const session = child.open(descriptor, { observed: false, capacity: 1 });
  await vi.waitFor(() => expect(session.decisions).toContain("Assign"));
  const { audit, events } = auditing(undefined);
  audit.election(node.exchange, node.exchange.objects.get(descriptor.key)!, false);
  expect(events).toMatchObject([{ kind: "handover", to: { link: '"hand"' } }]);
});

it("audits nothing without an audit sink", () => {
  const node = root();
  const descriptor = new ObjectDescriptor([], "quiet");
  node.object(descriptor).observe();
  const audit = new LinkAudit(undefined, undefined, { principal: undefined });
  expect(() => audit.election(node.exchange, node.exchange.objects.get(descriptor.key)!, true)).not.toThrow();
});
