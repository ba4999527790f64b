/**
 * Authentication on the link: the child's token travels in Hello, the parent's authenticator decides
 * (Welcome naming the principal, or Refuse with the reason), a Refresh on the live link re-authenticates
 * the same principal, and a principal that expires without refresh loses its grants at once. Each
 * authentication, refusal and grant change is audited.
 */
import { afterEach, expect, it, vi } from "vitest";
import { createSessionMux } from "../../bindings/session-mux.js";
import { LocalNode, ObjectDescriptor } from "../../lib/index.js";
import { DownstreamLink, type DownstreamLinkOptions } from "../../lib/sync/down/downstream-link.js";
import { LinkRefusedError } from "../../lib/sync/link-refused-error.js";
import { UpstreamLink, type UpstreamLinkOptions } from "../../lib/sync/up/upstream-link.js";
import type { AuditEvent } from "../../lib/trust/audit-event.js";
import type { AuthRequest } from "../../lib/trust/auth-request.js";
import type { Principal } from "../../lib/trust/principal.js";
import { createMemoryCarrierPair } from "../../transports/memory-carrier.js";
import { HandChild } from "./hand-child.js";
import { settle } from "./tree-fixture.js";

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** An authenticator taking tokens "user:ID" (optionally "user:ID:EXP", EXP in seconds since the epoch) and refusing the rest. */
function byToken(requests: AuthRequest[] = []): (request: AuthRequest) => Principal {
  return (request) => {
    requests.push(request);
    const [kind, id, exp] = (request.token ?? "").split(":");
    if (kind !== "user" || id === undefined) throw new Error(`no valid token: send "user:ID"`);
    const principal: Principal = exp === undefined ? { id } : { id, exp: Number(exp) };
    return principal;
  };
}

function root(): LocalNode {
  const node = new LocalNode({ name: "root" });
  cleanup.push(() => node.close());
  return node;
}

/** A real UpstreamLink under `parent` over a memory link; resolves the generation's result. */
function linkChild(parent: LocalNode, parentOptions: DownstreamLinkOptions, childOptions: UpstreamLinkOptions) {
  const child = new LocalNode({ name: "child" });
  const memory = createMemoryCarrierPair();
  const downstream = new DownstreamLink(parent, createSessionMux(memory.b), parentOptions);
  const upstream = new UpstreamLink(child, childOptions);
  const generation = upstream.run(createSessionMux(memory.a));
  cleanup.push(async () => {
    await upstream.close();
    await child.close();
    memory.faults.cut();
    await downstream.closed;
  });
  return { child, downstream, upstream, generation };
}

it("without an authenticator every child is welcomed with no principal, and nothing is audited", async () => {
  const audit: AuditEvent[] = [];
  const { answer, child } = await HandChild.hello(root(), "anyone", { audit: (event) => audit.push(event) });
  cleanup.push(() => child.close());
  expect(answer).toEqual({ label: "Welcome", payload: { node: "root" } });
  expect(child.parent.principal).toBeUndefined();
  expect(audit).toEqual([]);
});

it("welcomes a child whose token the authenticator accepts, naming its principal, and audits it", async () => {
  const audit: AuditEvent[] = [];
  const requests: AuthRequest[] = [];
  const request = { headers: { origin: "https://app.example" }, remoteAddress: "10.0.0.7", url: "/hakuban?room=7" };
  const { answer, child } = await HandChild.hello(root(), "alice's", { authenticate: byToken(requests), request, audit: (event) => audit.push(event) }, "user:alice");
  cleanup.push(() => child.close());
  expect(answer).toEqual({ label: "Welcome", payload: { node: "root", principal: "alice" } });
  expect(requests).toEqual([{ ...request, token: "user:alice" }]);
  expect(child.parent.principal).toBe("alice");
  expect(audit).toMatchObject([{ kind: "authenticated", principal: "alice", remoteAddress: "10.0.0.7", link: `"alice's" (10.0.0.7)` }]);
});

it("refuses a child without a token or with one the authenticator throws on, telling it why, and audits the refusal", async () => {
  const audit: AuditEvent[] = [];
  const node = root();
  for (const token of [undefined, "forged"]) {
    const { answer, child } = await HandChild.hello(node, "mallory", { authenticate: byToken(), audit: (event) => audit.push(event) }, token);
    expect(answer).toEqual({ label: "Refuse", payload: { reason: `no valid token: send "user:ID"` } });
    expect(String(await child.parent.closed)).toMatch(/refused mallory: no valid token/);
  }
  expect(audit.map((event) => [event.kind, (event as { reason?: string }).reason])).toEqual([
    ["refused", `no valid token: send "user:ID"`],
    ["refused", `no valid token: send "user:ID"`],
  ]);
});

it("an UpstreamLink sends its token (or its token function's) and ends with a LinkRefusedError naming the reason when refused", async () => {
  const node = root();
  const welcomed = linkChild(node, { authenticate: byToken() }, { token: () => Promise.resolve("user:bob") });
  await vi.waitFor(() => expect(welcomed.upstream.connected).toBe(true));
  expect(welcomed.downstream.principal).toBe("bob");
  const refused = linkChild(node, { authenticate: byToken() }, { token: "forged" });
  const result = await refused.generation;
  expect(result).toBeInstanceOf(LinkRefusedError);
  expect((result as LinkRefusedError).reason).toBe(`no valid token: send "user:ID"`);
});

it("refresh() re-authenticates the live link; a refreshed token of another principal ends it refused, audited", async () => {
  const audit: AuditEvent[] = [];
  let token = "user:carol";
  const node = root();
  const { upstream, downstream, generation } = linkChild(node, { authenticate: byToken(), audit: (event) => audit.push(event) }, { token: () => token });
  await vi.waitFor(() => expect(upstream.connected).toBe(true));
  await upstream.refresh();
  expect(audit.map((event) => event.kind)).toEqual(["authenticated", "authenticated", "grants-changed"]);
  expect(audit[2]).toMatchObject({ kind: "grants-changed", cause: "refreshed", principal: "carol" });
  token = "user:mallory";
  await expect(upstream.refresh()).rejects.toBeInstanceOf(LinkRefusedError);
  const result = await generation;
  expect(result).toBeInstanceOf(LinkRefusedError);
  expect((result as LinkRefusedError).reason).toMatch(/principal "mallory", not "carol"/);
  expect(audit.at(-1)).toMatchObject({ kind: "refused", principal: "carol" });
  expect(await downstream.closed).toBeUndefined();
});

it("a refresh the authenticator refuses ends the link refused", async () => {
  let token = "user:dan";
  const { upstream, generation } = linkChild(root(), { authenticate: byToken() }, { token: () => token });
  await vi.waitFor(() => expect(upstream.connected).toBe(true));
  token = "garbage";
  await expect(upstream.refresh()).rejects.toThrow(/no valid token/);
  expect(await generation).toBeInstanceOf(LinkRefusedError);
});

it("a principal that expires without refresh loses its grants at once: its observer is told and gets no more states", async () => {
  const node = root();
  const audit: AuditEvent[] = [];
  const descriptor = new ObjectDescriptor([], "ticker");
  const exposer = node.object(descriptor).expose<number>();
  exposer.set(1);
  const exp = (Date.now() + 400) / 1000;
  const hand = await HandChild.link(node, "erin", { authenticate: byToken(), audit: (event) => audit.push(event) }, `user:erin:${exp}`);
  cleanup.push(() => hand.close());
  const session = hand.open(descriptor, { observed: true, capacity: 0 });
  await vi.waitFor(() => expect(session.states).toHaveLength(1));
  await vi.waitFor(() => expect(session.decisions).toContain("Denied observe"), { timeout: 3000 });
  expect(session.denials[0]).toMatch(/principal "erin" may not observe .*ticker.*credentials expired/);
  expect(audit.map((event) => event.kind)).toEqual(["authenticated", "grants-changed", "denied"]);
  expect(audit[1]).toMatchObject({ cause: "expired" });
  exposer.set(2);
  await settle();
  expect(session.states).toHaveLength(1);
});

it("a child whose token is a function refreshes by itself before its principal expires, and keeps its grants", async () => {
  const node = root();
  const descriptor = new ObjectDescriptor([], "clock");
  const exposer = node.object(descriptor).expose<number>();
  exposer.set(1);
  let issued = 0;
  const token = () => `user:fay:${(Date.now() + 800 + 400 * issued++) / 1000}`;
  const { child, upstream } = linkChild(node, { authenticate: byToken() }, { token });
  const observer = child.object(descriptor).observe<number>();
  await vi.waitFor(() => expect(observer.data).toBe(1));
  await vi.waitFor(() => expect(issued).toBeGreaterThanOrEqual(3), { timeout: 4000 });
  expect(upstream.connected).toBe(true);
  exposer.set(2);
  await vi.waitFor(() => expect(observer.data).toBe(2));
  expect(observer.denial).toBeUndefined();
});
