/**
 * PushQuota, the bytes of states a child may push per second: states within it pass, one over it is
 * dropped and audited at most once a second, and a changed rate starts a full budget.
 */
import { afterEach, expect, it, vi } from "vitest";
import { LocalNode, ObjectDescriptor, parsePolicy } from "../../lib/index.js";
import type { AuditEvent } from "../../lib/trust/audit-event.js";
import { PushQuota } from "../../lib/sync/down/push-quota.js";
import type { WireState } from "../../lib/sync/wire-state.js";
import { wireStateBytes } from "../../lib/sync/wire-state-bytes.js";
import { HandChild } from "./hand-child.js";
import { wireState } from "./wire/plain-states.js";

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

const object = new ObjectDescriptor([], "pushed");
/** A full state of 100 bytes on the wire (flags, version [1], a 95-character string with its tag and length). */
const state: WireState = wireState({ v: [1], s: true, d: "x".repeat(95) });

function quota() {
  const audits: Array<[string, number]> = [];
  let now = 0;
  const pushes = new PushQuota({ overPushQuota: (descriptor, rate) => void audits.push([descriptor.key, rate]) }, () => now);
  return { pushes, audits, advance: (ms: number) => (now += ms) };
}

it("lets everything through while the grants set no rate", () => {
  const { pushes, audits } = quota();
  for (let i = 0; i < 100; i++) expect(pushes.mayPush(object, state)).toBe(true);
  expect(audits).toEqual([]);
});

it("drops states over the rate, lets one through again once the budget has refilled a byte (the rest taken as debt)", () => {
  expect(wireStateBytes(state)).toBe(100);
  const { pushes, advance } = quota();
  pushes.setRate(200);
  expect([pushes.mayPush(object, state), pushes.mayPush(object, state), pushes.mayPush(object, state)]).toEqual([true, true, false]);
  advance(4);
  expect(pushes.mayPush(object, state)).toBe(false);
  advance(2);
  expect(pushes.mayPush(object, state)).toBe(true);
});

it("audits the drops at most once a second, naming the object and the rate", () => {
  const { pushes, audits, advance } = quota();
  pushes.setRate(100);
  pushes.mayPush(object, state);
  for (let i = 0; i < 5; i++) pushes.mayPush(object, state);
  expect(audits).toEqual([[object.key, 100]]);
  advance(999);
  pushes.mayPush(object, wireState({ v: [2], s: true, d: "x".repeat(1000) }));
  pushes.mayPush(object, state);
  expect(audits).toHaveLength(1);
  advance(1000);
  pushes.mayPush(object, state);
  expect(audits).toHaveLength(2);
});

it("starts a full budget when the rate changes, keeps the budget when the same rate is set again", () => {
  const { pushes } = quota();
  pushes.setRate(100);
  expect(pushes.mayPush(object, state)).toBe(true);
  pushes.setRate(100);
  expect(pushes.mayPush(object, state)).toBe(false);
  pushes.setRate(300);
  expect(pushes.mayPush(object, state)).toBe(true);
  pushes.setRate(undefined);
  expect(pushes.mayPush(object, wireState({ v: [3], s: true, d: "x".repeat(10_000) }))).toBe(true);
});

it("on a link, a policy set while the child pushes takes its bytesPerSecond from then on", async () => {
  const root = new LocalNode({ name: "root" });
  const audit: AuditEvent[] = [];
  const child = await HandChild.link(root, "chatty", { audit: (event) => audit.push(event) });
  cleanup.push(() => root.close(), () => child.close());
  const descriptor = new ObjectDescriptor([], "stream");
  const observer = root.object(descriptor).observe<string>();
  const session = child.open(descriptor, { observed: false, capacity: 1 });
  await vi.waitFor(() => expect(session.decisions).toEqual(["Assign", "Need"]));
  const e = session.assignedEpochs[0]!;
  const up = session.session.lane("up");
  up.send("StateUp", wireState({ v: [1], e, s: true, d: "x".repeat(1500) }));
  await vi.waitFor(() => expect(observer.state?.version).toEqual([1]));
  child.parent.setPolicy(parsePolicy({ rules: [{ observe: [{ any: true }], expose: [{ any: true }], limits: { bytesPerSecond: 100 } }] }));
  for (let n = 2; n <= 4; n++) up.send("StateUp", wireState({ v: [n], e, s: true, d: "x".repeat(1500) }));
  await vi.waitFor(() => expect(audit.filter((event) => event.kind === "denied")).toMatchObject([{ access: "expose", grant: "rules[0].limits.bytesPerSecond" }]));
  expect(observer.state?.version).toEqual([2]);
});
