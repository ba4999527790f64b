/**
 * A parent's policy on each child link: what a child may observe and expose, told to the denied
 * contract (its denial surfaces and its node's errors), audited, re-evaluated at once on setPolicy, and
 * the quota of a rule bounding what a link may hold.
 */
import { afterEach, expect, it, vi } from "vitest";
import { createSessionMux } from "../../bindings/session-mux.js";
import { AccessDeniedError, LocalNode, ObjectDescriptor, TagDescriptor, type NodeError } from "../../lib/index.js";
import { DownstreamLink, type DownstreamLinkOptions } from "../../lib/sync/down/downstream-link.js";
import { UpstreamLink } from "../../lib/sync/up/upstream-link.js";
import type { AuditEvent } from "../../lib/trust/audit-event.js";
import { parsePolicy } from "../../lib/trust/parse-policy.js";
import type { Principal } from "../../lib/trust/principal.js";
import { createMemoryCarrierPair } from "../../transports/memory-carrier.js";
import { HandChild } from "./hand-child.js";
import { link, settle } from "./tree-fixture.js";
import { wireState } from "./wire/plain-states.js";

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** Principals by token: the token is the principal's id, and its `team` claim follows a colon. */
const authenticate = ({ token }: { token: string | undefined }): Principal => {
  const [id, team] = (token ?? "").split(":");
  if (id === undefined || id === "") throw new Error("send a token");
  return team === undefined ? { id } : { id, team };
};

/** Readers observe "public" objects; writers may also expose them; nobody gets { secret: true } objects. */
const policy = parsePolicy({
  rules: [
    { principal: { team: "writers" }, observe: [{ tag: "public" }], expose: [{ tag: "public" }], deny: { observe: [{ object: { secret: true } }], expose: [{ object: { secret: true } }] } },
    { observe: [{ tag: "public" }], deny: { observe: [{ object: { secret: true } }] } },
  ],
});

function root(): LocalNode {
  const node = new LocalNode({ name: "root" });
  cleanup.push(() => node.close());
  return node;
}

/** A node linked under `parent` with `token`; its errors are collected. */
function child(parent: LocalNode, token: string, options: DownstreamLinkOptions) {
  const node = new LocalNode({ name: token });
  const errors: NodeError[] = [];
  node.onError((error) => errors.push(error));
  const memory = createMemoryCarrierPair();
  const downstream = new DownstreamLink(parent, createSessionMux(memory.b), options);
  const upstream = new UpstreamLink(node, { token });
  void upstream.run(createSessionMux(memory.a));
  cleanup.push(async () => {
    await upstream.close();
    await node.close();
    memory.faults.cut();
    await downstream.closed;
  });
  return { node, errors, downstream, upstream };
}

const open = new ObjectDescriptor(["public"], { n: 1 });
const secret = new ObjectDescriptor(["public"], { n: 2, secret: true });

it("a child observes what its grants allow; a denied observer gets no state, is told (contract and node errors), and it is audited", async () => {
  const node = root();
  const audit: AuditEvent[] = [];
  for (const descriptor of [open, secret]) node.object(descriptor).expose<string>().set("data");
  const reader = child(node, "rita", { authenticate, policy, audit: (event) => audit.push(event) });
  const allowed = reader.node.object(open).observe<string>();
  const denied = reader.node.object(secret).observe<string>();
  const denials: Array<AccessDeniedError | undefined> = [];
  denied.denial$.subscribe((denial) => denials.push(denial));
  await vi.waitFor(() => expect(allowed.data).toBe("data"));
  await vi.waitFor(() => expect(denied.denial).toBeInstanceOf(AccessDeniedError));
  expect(denied.denial!.message).toMatch(/principal "rita" may not observe .*secret.*denied by rules\[1\]\.deny\.observe\[0\]/);
  expect(denials).toEqual([undefined, denied.denial]);
  expect(reader.errors.map(({ error }) => error)).toEqual([denied.denial]);
  expect(allowed.denial).toBeUndefined();
  await settle();
  expect(denied.state).toBeUndefined();
  expect(audit.filter((event) => event.kind === "denied")).toMatchObject([{ kind: "denied", principal: "rita", access: "observe", grant: "rules[1].deny.observe[0]" }]);
});

it("a denied observer does not count as one: the parent's exposer is not asked for its data", async () => {
  const node = root();
  const lonely = new ObjectDescriptor(["public"], { secret: true, lonely: true });
  const exposer = node.object(lonely).expose<string>();
  const reader = child(node, "rita", { authenticate, policy });
  const denied = reader.node.object(lonely).observe<string>();
  await vi.waitFor(() => expect(denied.denial).toBeDefined());
  await settle();
  expect(exposer.assigned).toBe(false);
});

it("a hostile child that opens an object of a tag it observes, but may not observe the object, gets none of its states", async () => {
  const node = root();
  node.object(secret).expose<string>().set("data");
  const hand = await HandChild.link(node, "hostile", { authenticate, policy }, "mallory");
  cleanup.push(() => hand.close());
  hand.tagInterest(new TagDescriptor("public"), true, 0);
  const session = hand.open(secret, { observed: false, capacity: 0 });
  await vi.waitFor(() => expect(session.decisions).toEqual(["Release"]));
  await settle();
  expect(session.states).toEqual([]);
  expect(hand.announced).toEqual([]);
});

it("a denial of a child router's link reaches the contracts of its whole subtree, and so does the grant that lifts it", async () => {
  const node = root();
  node.object(secret).expose<string>().set("data");
  const mid = new LocalNode({ name: "mid" });
  const leaf = new LocalNode({ name: "leaf" });
  for (const other of [mid, leaf]) other.onError(() => {});
  const upper = link(node, mid, { authenticate, policy, token: "rita" });
  const lower = link(mid, leaf);
  cleanup.push(async () => {
    await lower.close();
    await upper.close();
    await leaf.close();
    await mid.close();
  });
  const observer = leaf.object(secret).observe<string>();
  const tagObserver = leaf.tag("private").observe();
  await vi.waitFor(() => expect(observer.denial?.message).toMatch(/principal "rita" may not observe/));
  await vi.waitFor(() => expect(tagObserver.denial?.message).toMatch(/principal "rita" may not observe objects tagged/));
  upper.downstream!.setPolicy(parsePolicy({ rules: [{ observe: [{ any: true }] }] }));
  await vi.waitFor(() => expect(observer.data).toBe("data"));
  await vi.waitFor(() => expect(observer.denial).toBeUndefined());
  await vi.waitFor(() => expect(tagObserver.denial).toBeUndefined());
});

it("a denial lasts as long as the connection that told it: lifted when it is cut, told again by the next one", async () => {
  const node = root();
  node.object(secret).expose<string>().set("data");
  const reader = new LocalNode({ name: "rita" });
  reader.onError(() => {});
  const upper = link(node, reader, { authenticate, policy, token: "rita" });
  cleanup.push(async () => {
    await upper.close();
    await reader.close();
  });
  const observer = reader.object(secret).observe<string>();
  const tagObserver = reader.tag("private").observe();
  await vi.waitFor(() => expect(observer.denial).toBeDefined());
  await vi.waitFor(() => expect(tagObserver.denial).toBeDefined());
  await upper.cut();
  expect(observer.denial).toBeUndefined();
  expect(tagObserver.denial).toBeUndefined();
  upper.connect();
  await vi.waitFor(() => expect(observer.denial).toBeDefined());
  await vi.waitFor(() => expect(tagObserver.denial).toBeDefined());
});

it("a child observing a tag hears only of the objects it may observe", async () => {
  const node = root();
  for (const descriptor of [open, secret]) node.object(descriptor).expose<string>().set("data");
  const reader = child(node, "rita", { authenticate, policy });
  const tag = reader.node.tag("public").observe<string>();
  await vi.waitFor(() => expect([...tag.objects.keys()]).toEqual([open.key]));
  await settle();
  expect([...tag.objects.keys()]).toEqual([open.key]);
  expect(tag.objects.get(open.key)?.state?.data).toBe("data");
});

it("a child may not observe a tag its grants select nothing of: the tag observer is told", async () => {
  const node = root();
  node.object(["private"], 1).expose<string>().set("data");
  const reader = child(node, "rita", { authenticate, policy });
  const tag = reader.node.tag("private").observe<string>();
  await vi.waitFor(() => expect(tag.denial?.message).toMatch(/may not observe objects tagged #"private"/));
  expect(tag.objects.size).toBe(0);
});

it("a child without an expose grant is never elected: its contract is told, the granted candidate serves", async () => {
  const node = root();
  const observer = node.object(open).observe<string>();
  const reader = child(node, "rita", { authenticate, policy });
  const wouldBe = reader.node.object(open).expose<string>({ capacity: 100 });
  wouldBe.set("from the reader");
  await vi.waitFor(() => expect(wouldBe.denial?.access).toBe("expose"));
  const writer = child(node, "will:writers", { authenticate, policy });
  const exposer = writer.node.object(open).expose<string>();
  exposer.set("from the writer");
  await vi.waitFor(() => expect(observer.data).toBe("from the writer"));
  expect(wouldBe.assigned).toBe(false);
  const tagExposer = reader.node.tag("public").expose<string>();
  await vi.waitFor(() => expect(tagExposer.denial?.message).toMatch(/principal "rita" may not expose objects tagged #"public"/));
  expect(tagExposer.assigned).toEqual([]);
});

it("a child exposing a tag is elected only for the objects of it its grants let it expose", async () => {
  const node = root();
  node.object(open).observe();
  node.object(secret).observe();
  const writer = child(node, "will:writers", { authenticate, policy });
  const tag = writer.node.tag("public").expose<string>();
  await vi.waitFor(() => expect(tag.assigned.map((descriptor) => descriptor.key)).toEqual([open.key]));
  await settle();
  expect(tag.assigned.map((descriptor) => descriptor.key)).toEqual([open.key]);
});

it("states a denied exposer sends anyway are dropped", async () => {
  const node = root();
  const observer = node.object(open).observe<string>();
  const hand = await HandChild.link(node, "hostile", { authenticate, policy }, "mallory");
  cleanup.push(() => hand.close());
  const session = hand.open(open, { observed: false, capacity: 5 });
  await vi.waitFor(() => expect(session.decisions).toEqual(["Denied expose", "Release"]));
  for (let n = 1; n <= 5; n++) session.session.lane("up").send("StateUp", wireState({ v: [n], f: ["JSON"], d: "forged", s: true }));
  await settle();
  expect(observer.state).toBeUndefined();
});

it("setPolicy re-evaluates live links at once: a revoked observer stops receiving and is told, a revoked exposer is released and another elected, a regrant serves again", async () => {
  const node = root();
  const audit: AuditEvent[] = [];
  const observer = node.object(open).observe<string>();
  const options = { authenticate, policy, audit: (event: AuditEvent) => audit.push(event) };
  const first = child(node, "ann:writers", options);
  const second = child(node, "bob:writers", options);
  const reader = child(node, "rita", options);
  const firstExposer = first.node.object(open).expose<string>({ capacity: 10 });
  firstExposer.set("from ann");
  await vi.waitFor(() => expect(observer.data).toBe("from ann"));
  const secondExposer = second.node.object(open).expose<string>({ capacity: 1 });
  secondExposer.set("from bob");
  const watched = reader.node.object(open).observe<string>();
  await vi.waitFor(() => expect(watched.data).toBe("from ann"));

  const revoked = parsePolicy({
    rules: [
      { principal: { id: "ann" }, observe: [{ tag: "public" }] },
      { principal: { team: "writers" }, observe: [{ tag: "public" }], expose: [{ tag: "public" }] },
      { observe: [{ tag: "other" }] },
    ],
  });
  for (const link of [first, second, reader]) link.downstream.setPolicy(revoked);
  await vi.waitFor(() => expect(observer.data).toBe("from bob"));
  await vi.waitFor(() => expect(firstExposer.denial?.access).toBe("expose"));
  expect(firstExposer.assigned).toBe(false);
  await vi.waitFor(() => expect(watched.denial?.access).toBe("observe"));
  secondExposer.set("bob again");
  await vi.waitFor(() => expect(observer.data).toBe("bob again"));
  await settle();
  expect(watched.data).not.toBe("bob again");
  expect(audit.filter((event) => event.kind === "grants-changed")).toHaveLength(3);
  expect(audit.filter((event) => event.kind === "denied").map((event) => event.principal).sort()).toEqual(["ann", "rita"]);
  expect(audit.filter((event) => event.kind === "elected").map((event) => event.principal)).toEqual(["ann", "bob"]);
  expect(audit.filter((event) => event.kind === "handover")).toMatchObject([
    { principal: "ann", descriptor: open.toJSON(), from: { principal: "ann" }, to: { principal: "bob" } },
  ]);

  reader.downstream.setPolicy(policy);
  await vi.waitFor(() => expect(watched.data).toBe("bob again"));
  expect(watched.denial).toBeUndefined();
});

it("a rule's quota refuses what a link asks for past it, audited, and the link keeps what it had", async () => {
  const node = root();
  const audit: AuditEvent[] = [];
  const quota = parsePolicy({ rules: [{ observe: [{ any: true }], expose: [{ any: true }], limits: { objects: 2, tags: 1 } }] });
  const hand = await HandChild.link(node, "greedy", { policy: quota, audit: (event) => audit.push(event) });
  cleanup.push(() => hand.close());
  const exposers = [1, 2, 3].map((n) => node.object([], n).expose<number>());
  exposers.forEach((exposer, n) => exposer.set(n));
  const sessions = [1, 2, 3].map((n) => hand.open(new ObjectDescriptor([], n), { observed: true, capacity: 0 }));
  await vi.waitFor(() => expect(sessions[2]!.decisions).toContain("Denied observe"));
  await vi.waitFor(() => expect(sessions.map((session) => session.states.length)).toEqual([1, 1, 0]));
  expect(sessions[2]!.denials[0]).toMatch(/quota allows \(rules\[0\]\.limits\.objects\)/);
  hand.tagInterest(new TagDescriptor("a"), true, 0);
  hand.tagInterest(new TagDescriptor("b"), true, 0);
  await vi.waitFor(() => expect(hand.tagDecisions).toEqual([expect.stringMatching(/^TagDenied observe "b": .*limits\.tags/)]));
  expect(audit.map((event) => [event.kind, (event as { grant?: string }).grant])).toEqual([
    ["denied", "rules[0].limits.objects"],
    ["denied", "rules[0].limits.tags"],
  ]);
  exposers[0]!.set(10);
  await vi.waitFor(() => expect(sessions[0]!.states).toHaveLength(2));
});

it("a rule's bytesPerSecond drops the states a child pushes over it, audited, and lets later ones through", async () => {
  const node = root();
  const audit: AuditEvent[] = [];
  const quota = parsePolicy({ rules: [{ observe: [{ any: true }], expose: [{ any: true }], limits: { bytesPerSecond: 2000 } }] });
  vi.useFakeTimers({ toFake: ["Date"] });
  cleanup.push(async () => vi.useRealTimers());
  const hand = await HandChild.link(node, "chatty", { policy: quota, audit: (event) => audit.push(event) });
  cleanup.push(() => hand.close());
  const descriptor = new ObjectDescriptor([], "stream");
  const observer = node.object(descriptor).observe<string>();
  const versions: number[] = [];
  observer.onChange((state) => state && versions.push(state.version[0]!));
  const session = hand.open(descriptor, { observed: false, capacity: 1 });
  await vi.waitFor(() => expect(session.decisions).toEqual(["Assign", "Need"]));
  for (let n = 1; n <= 5; n++) session.session.lane("up").send("StateUp", wireState({ v: [n], e: 1, s: true, d: "x".repeat(1500) })); // the root's first election
  const denied = () => audit.filter((event) => event.kind === "denied");
  await vi.waitFor(() => expect(denied()).toHaveLength(1));
  await settle();
  expect(versions).toEqual([1, 2]);
  expect(denied()[0]).toMatchObject({ kind: "denied", access: "expose", grant: "rules[0].limits.bytesPerSecond" });
  vi.setSystemTime(Date.now() + 1000);
  session.session.lane("up").send("StateUp", wireState({ v: [6], e: 1, s: true, d: "x".repeat(1500) }));
  await vi.waitFor(() => expect(versions).toEqual([1, 2, 6]));
});
