/**
 * Generation, one connection of a child's link to its parent, driven by a hand-spoken parent: the
 * replay that starts it, the parent's announcements and tag decisions, and the parent's farewell.
 */
import { afterEach, expect, it, vi } from "vitest";
import { LocalNode, ObjectDescriptor, TagDescriptor } from "../../lib/index.js";
import { LinkRefusedError } from "../../lib/sync/link-refused-error.js";
import { HandParent } from "./hand-parent.js";

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of cleanup.splice(0).reverse()) await close();
});

function leafNode(): LocalNode {
  const leaf = new LocalNode({ name: "leaf" });
  cleanup.push(async () => leaf.close());
  return leaf;
}

async function linked(leaf: LocalNode): Promise<HandParent> {
  const parent = await HandParent.link(leaf);
  cleanup.push(() => parent.close());
  return parent;
}

it("replays what the subtree wants, tags first, then Sync, and is connected once the parent says Synced", async () => {
  const leaf = leafNode();
  const tag = new TagDescriptor("t");
  const object = new ObjectDescriptor([], "o");
  leaf.object(object).observe();
  leaf.tag(tag).observe();
  const parent = await linked(leaf);
  const seen: boolean[] = [];
  parent.upstream.onConnected((connected) => seen.push(connected));
  await vi.waitFor(() => expect(parent.log).toEqual([`TagInterest ${tag.key}`, `Open ${object.key}`, "Sync"]));
  await vi.waitFor(() => expect(seen).toEqual([true]));
  expect(parent.upstream.connected).toBe(true);
});

it("keeps an object the parent announced in the node, its session open, until the parent withdraws it", async () => {
  const leaf = leafNode();
  const parent = await linked(leaf);
  const object = new ObjectDescriptor([], "announced");
  parent.endpoint.lane("decisions").send("Announce", { object });
  await vi.waitFor(() => expect(parent.sessions.get(object.key)?.open).toMatchObject({ observed: false, capacity: 0 }));
  const session = parent.sessions.get(object.key)!;
  expect(leaf.exchange.objects.has(object.key)).toBe(true);
  parent.endpoint.lane("decisions").send("Withdraw", { object });
  await vi.waitFor(() => expect(session.closed).toBe(true));
  expect(leaf.exchange.objects.has(object.key)).toBe(false);
});

it("holds the parent's tag denial on the tag's contracts until it grants the access again, or the connection ends", async () => {
  const leaf = leafNode();
  leaf.onError(() => {}); // a denial is also one of the node's errors
  const tag = new TagDescriptor("guarded");
  const observer = leaf.tag(tag).observe();
  const parent = await linked(leaf);
  const decisions = parent.endpoint.lane("decisions");
  decisions.send("TagDenied", { tag, access: "observe", reason: "no grant" });
  await vi.waitFor(() => expect(observer.denial?.reason).toBe("no grant"));
  decisions.send("TagGranted", { tag, access: "observe" });
  await vi.waitFor(() => expect(observer.denial).toBeUndefined());
  decisions.send("TagDenied", { tag, access: "observe", reason: "no grant again" });
  await vi.waitFor(() => expect(observer.denial?.reason).toBe("no grant again"));
  parent.memory.faults.cut();
  await parent.generation;
  expect(observer.denial).toBeUndefined();
});

it("answers the parent's Farewell with Bye, and ends refused when the parent refused the credentials", async () => {
  const leaf = leafNode();
  const parent = await linked(leaf);
  await vi.waitFor(() => expect(parent.log).toContain("Sync"));
  parent.farewell("the token expired", true);
  const ended = await parent.generation;
  expect(ended).toBeInstanceOf(LinkRefusedError);
  expect(ended?.message).toContain("the token expired");
  expect(parent.log.at(-1)).toBe("Bye");
});
