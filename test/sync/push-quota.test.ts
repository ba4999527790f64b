/**
 * PushQuota, the bytes of states a child may push per second: states within it pass, one over it is
 * dropped and audited at most once a second, and a changed rate starts a full budget.
 */
import { expect, it } from "vitest";
import { ObjectDescriptor } from "../../lib/index.js";
import { PushQuota } from "../../lib/sync/down/push-quota.js";
import type { WireState } from "../../lib/sync/wire-state.js";
import { wireStateBytes } from "../../lib/sync/wire-state-bytes.js";

const object = new ObjectDescriptor([], "pushed");
/** A full state of 100 bytes of data. */
const state: WireState = { v: [1], s: true, d: "x".repeat(98) };

function quota() {
  const audits: Array<[string, number]> = [];
  let now = 0;
  const pushes = new PushQuota((descriptor, rate) => audits.push([descriptor.key, rate]), () => now);
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
  pushes.mayPush(object, { v: [2], s: true, d: "x".repeat(1000) });
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
  expect(pushes.mayPush(object, { v: [3], s: true, d: "x".repeat(10_000) })).toBe(true);
});
