/**
 * The trust boundary over real WebSockets: children authenticate with HS256 JWTs (jose's SignJWT, the
 * listener's jwtAuthenticator), hostile ones are refused or denied with an audit event each, a policy
 * change revokes an observer and an exposer of live links, and an honest link is served throughout.
 */
import { SignJWT } from "jose";
import { afterEach, expect, it, vi } from "vitest";
import { AccessDeniedError, LocalNode, ObjectDescriptor } from "../../lib/index.js";
import type { Upstream } from "../../lib/net/connect.js";
import { connect } from "../../lib/net/node/connect.js";
import { listen, type Listener } from "../../lib/net/node/listen.js";
import { LinkRefusedError } from "../../lib/sync/link-refused-error.js";
import type { AuditEvent } from "../../lib/trust/audit-event.js";
import { jwtAuthenticator } from "../../lib/trust/jwt-authenticator.js";
import { parsePolicy } from "../../lib/trust/parse-policy.js";
import { PolicyError } from "../../lib/trust/policy-error.js";
import { status } from "./helpers.js";
import { HandLink } from "./wire-attacker.js";

const secret = "a shared secret of at least thirty-two bytes";
const key = new TextEncoder().encode(secret);

/** An HS256 JWT for `sub` with `claims`, valid from `nbf` until `exp` (seconds since the epoch). */
function jwt(sub: string, claims: Record<string, unknown> = {}, times: { exp?: number; nbf?: number } = {}, signingKey = key): Promise<string> {
  let token = new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).setSubject(sub).setIssuedAt();
  token = token.setExpirationTime(times.exp ?? Math.floor(Date.now() / 1000) + 3600);
  if (times.nbf !== undefined) token = token.setNotBefore(times.nbf);
  return token.sign(signingKey);
}

const policy = parsePolicy({
  rules: [
    { principal: { role: "sensor" }, observe: [{ tag: "readings" }], expose: [{ tag: "readings" }] },
    { principal: { role: "viewer" }, observe: [{ tag: "readings" }] },
  ],
});

const open: Array<{ close(): Promise<unknown> }> = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});

async function parent(audit: AuditEvent[]): Promise<{ node: LocalNode; listener: Listener }> {
  const node = new LocalNode({ name: "parent" });
  open.push(node);
  const listener = await listen(node, { port: 0, authenticate: jwtAuthenticator({ secret }), policy, audit: (event) => audit.push(event) });
  return { node, listener };
}

function child(name: string, url: string, token: string | (() => Promise<string>) | undefined): { node: LocalNode; upstream: Upstream; errors: unknown[] } {
  const node = new LocalNode({ name });
  const errors: unknown[] = [];
  node.onError(({ error }) => errors.push(error));
  open.push(node);
  const upstream = connect(node, url, { ...(token === undefined ? {} : { token }), initialDelayMs: 20, maxDelayMs: 200 });
  return { node, upstream, errors };
}

const reading = new ObjectDescriptor(["readings"], { sensor: 1 });

it("refuses absent, forged, expired and not-yet-valid tokens with the reason and an audit line each, while an honest link is served", async () => {
  const audit: AuditEvent[] = [];
  const { node, listener } = await parent(audit);
  const exposer = node.object(reading).expose<number>();
  exposer.set(1);
  const honest = child("honest", listener.url, await jwt("vera", { role: "viewer" }));
  const observer = honest.node.object(reading).observe<number>();
  await vi.waitFor(() => expect(observer.data).toBe(1));

  const now = Math.floor(Date.now() / 1000);
  const bad = [
    { token: undefined, reason: /token/i },
    { token: await jwt("mallory", { role: "sensor" }, {}, new TextEncoder().encode("another secret of thirty-two bytes!!")), reason: /signature/i },
    { token: await jwt("old", { role: "viewer" }, { exp: now - 120 }), reason: /expired/i },
    { token: await jwt("early", { role: "viewer" }, { nbf: now + 3600 }), reason: /not (yet )?valid|nbf|before/i },
  ];
  for (const [n, { token, reason }] of bad.entries()) {
    const hostile = child(`hostile${n}`, listener.url, token);
    await status(hostile.upstream, "closed");
    expect(hostile.upstream.lastError).toBeInstanceOf(LinkRefusedError);
    expect((hostile.upstream.lastError as LinkRefusedError).reason).toMatch(reason);
    exposer.set(n + 2);
    await vi.waitFor(() => expect(observer.data).toBe(n + 2));
  }
  const refusals = audit.filter((event) => event.kind === "refused");
  expect(refusals.map((event) => (event as { failure?: string }).failure)).toEqual(["missing-token", "bad-signature", "expired", "not-yet-valid"]);
  expect(honest.upstream.status).toBe("connected");
});

it("a child whose token function gives a refused token redials with backoff, and links once it gives a good one", async () => {
  const audit: AuditEvent[] = [];
  const { listener } = await parent(audit);
  let calls = 0;
  const good = await jwt("sam", { role: "sensor" });
  const retrying = child("retrying", listener.url, async () => (++calls < 3 ? "not a jwt" : good));
  await status(retrying.upstream, "connected");
  expect(calls).toBe(3);
  expect(audit.filter((event) => event.kind === "refused")).toHaveLength(2);
});

it("a token refreshed with another principal's is refused and the link closed, audited; a refresh of the same principal keeps it", async () => {
  const audit: AuditEvent[] = [];
  const { listener } = await parent(audit);
  let token = await jwt("sam", { role: "sensor" });
  const sensor = child("sensor", listener.url, async () => token);
  await status(sensor.upstream, "connected");
  token = await jwt("sam", { role: "sensor" });
  await sensor.upstream.refresh();
  expect(audit.filter((event) => event.kind === "grants-changed")).toMatchObject([{ cause: "refreshed", principal: "sam" }]);
  token = await jwt("eve", { role: "sensor" });
  await expect(sensor.upstream.refresh()).rejects.toBeInstanceOf(LinkRefusedError);
  expect(audit.at(-1)).toMatchObject({ kind: "refused", principal: "sam" });
  expect(String((audit.at(-1) as { reason: string }).reason)).toMatch(/"eve", not "sam"/);
});

it("a denied client that keeps sending states and opening objects is denied each time and serves nothing, while others are served", async () => {
  const audit: AuditEvent[] = [];
  const { node, listener } = await parent(audit);
  const watcher = node.object(reading).observe<number>();
  const sensor = child("sensor", listener.url, await jwt("sam", { role: "sensor" }));
  const honestExposer = sensor.node.object(reading).expose<number>({ capacity: 1 });
  honestExposer.set(7);
  await vi.waitFor(() => expect(watcher.data).toBe(7));
  const viewer = child("viewer", listener.url, await jwt("vic", { role: "viewer" }));
  const forged = viewer.node.object(reading).expose<number>({ capacity: 1000 });
  for (let n = 0; n < 5; n++) forged.set(1_000_000 + n, { version: [Number.MAX_SAFE_INTEGER - n] });
  const secrets = [1, 2, 3].map((n) => viewer.node.object(["private"], n).observe());
  await vi.waitFor(() => expect(secrets.every((observer) => observer.denial instanceof AccessDeniedError)).toBe(true));
  await vi.waitFor(() => expect(forged.denial?.access).toBe("expose"));
  honestExposer.set(8);
  await vi.waitFor(() => expect(watcher.data).toBe(8));
  expect(forged.assigned).toBe(false);
  const denied = audit.filter((event) => event.kind === "denied");
  expect(denied.map((event) => (event as { access: string }).access).sort()).toEqual(["expose", "observe", "observe", "observe"]);
  expect(denied.every((event) => event.principal === "vic")).toBe(true);
  expect(viewer.errors.filter((error) => error instanceof AccessDeniedError)).toHaveLength(4);
});

it("setPolicy revokes an observer and an exposer of live links: told, released, another elected; a bad policy is refused and the previous stays", async () => {
  const audit: AuditEvent[] = [];
  const { node, listener } = await parent(audit);
  const watcher = node.object(reading).observe<number>();
  const first = child("first", listener.url, await jwt("sam", { role: "sensor" }));
  const second = child("second", listener.url, await jwt("sue", { role: "sensor" }));
  const viewer = child("viewer", listener.url, await jwt("vic", { role: "viewer" }));
  const firstExposer = first.node.object(reading).expose<number>({ capacity: 10 });
  firstExposer.set(1);
  await vi.waitFor(() => expect(firstExposer.assigned).toBe(true));
  const secondExposer = second.node.object(reading).expose<number>({ capacity: 1 });
  secondExposer.set(2);
  const viewed = viewer.node.object(reading).observe<number>();
  await vi.waitFor(() => expect(viewed.data).toBe(1));

  expect(() => listener.setPolicy({ rules: [{ observe: [{ nothing: 1 }] }] } as never)).toThrow(PolicyError);
  listener.setPolicy(
    parsePolicy({
      rules: [
        { principal: { sub: "sam" }, observe: [{ tag: "readings" }] },
        { principal: { role: "sensor" }, observe: [{ tag: "readings" }], expose: [{ tag: "readings" }] },
      ],
    }),
  );
  await vi.waitFor(() => expect(firstExposer.denial?.access).toBe("expose"));
  await vi.waitFor(() => expect(viewed.denial?.access).toBe("observe"));
  await vi.waitFor(() => expect(secondExposer.assigned).toBe(true));
  secondExposer.set(3);
  await vi.waitFor(() => expect(watcher.data).toBe(3));
  expect(viewed.data).toBe(1);
  expect(audit.filter((event) => event.kind === "policy-changed")).toHaveLength(1);
  expect(audit.filter((event) => event.kind === "policy-rejected")).toMatchObject([{ reason: expect.stringMatching(/rules\[0\]\.observe\[0\]/) }]);
  expect(audit.filter((event) => event.kind === "grants-changed")).toHaveLength(3);
});

it("a raw client that keeps sending states for an object it may not expose, and opening objects it may not observe, is denied each time and moves nothing", async () => {
  const audit: AuditEvent[] = [];
  const { node, listener } = await parent(audit);
  const watcher = node.object(reading).observe<number>();
  const sensor = child("sensor", listener.url, await jwt("sam", { role: "sensor" }));
  const honest = sensor.node.object(reading).expose<number>({ capacity: 1 });
  honest.set(1);
  await vi.waitFor(() => expect(watcher.data).toBe(1));
  const target = { url: listener.url, honest: reading, patienceMs: 1000, pingEveryMs: 1000 };
  const raw = await HandLink.open(target, "raw", {}, await jwt("vic", { role: "viewer" }));
  open.push({ close: async () => raw.close() });
  const session = raw.open(reading, { observed: false, capacity: 1000 });
  for (let n = 0; n < 20; n++) session.publish({ v: [Number.MAX_SAFE_INTEGER - n], s: true, d: -n });
  for (let n = 0; n < 20; n++) raw.open(new ObjectDescriptor(["private"], n), { observed: true, capacity: 0 });
  await vi.waitFor(() => expect(audit.filter((event) => event.kind === "denied")).toHaveLength(21));
  honest.set(2);
  await vi.waitFor(() => expect(watcher.data).toBe(2));
  expect(watcher.state?.version[0]).toBeLessThan(Number.MAX_SAFE_INTEGER - 20);
  expect(raw.connected).toBe(true);
  expect(sensor.upstream.status).toBe("connected");
});