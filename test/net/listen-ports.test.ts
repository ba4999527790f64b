/**
 * listenPorts as a parent: every message from a port is hostile until proven the link's own, a child
 * that misbehaves is dropped with a log line while the others keep being served, and the listener
 * checks its options and goes with its node.
 */
import { MessageChannel, type MessagePort } from "node:worker_threads";
import { expect, it } from "vitest";
import { AccessDeniedError, connectPort, LinkRefusedError, listenPorts, LocalNode, NodeClosedError, type PortListener } from "../../lib/index.js";
import { cleanupAfterEach } from "../test-cleanup.js";

const WAIT = { timeout: 10_000, interval: 5 } as const;
const { defer, node } = cleanupAfterEach();

/** A port the listener accepted, whose other end the test holds raw; its close is left to the test's end. */
function rawChild(ports: PortListener): MessagePort {
  const { port1, port2 } = new MessageChannel();
  ports.accept(port1, { peer: "raw" });
  defer(() => port2.close());
  return port2;
}

/** An honest child in this thread exposing `value`, linked through a channel of its own. */
function honestChild(ports: PortListener, value: string): void {
  const child = node("honest");
  const { port1, port2 } = new MessageChannel();
  ports.accept(port1, { peer: "honest port" });
  connectPort(child, port2);
  child.object(["shared"], "honest").expose<string>().set(value);
}

it("drops a port that sends what is not the link's bytes, with a log line, while an honest child stays served", async () => {
  const parent = node("parent");
  const lines: string[] = [];
  const ports = listenPorts(parent, { log: (line) => lines.push(line) });
  honestChild(ports, "first");
  const observed = parent.object(["shared"], "honest").observe<string>();
  await expect.poll(() => observed.data, WAIT).toBe("first");
  const raw = rawChild(ports);
  const told: unknown[] = [];
  raw.on("message", (message) => told.push(message));
  await expect.poll(() => ports.links, WAIT).toBe(2);
  raw.postMessage({ not: "bytes" });
  await expect.poll(() => ports.links, WAIT).toBe(1);
  expect(lines.some((line) => /child raw disconnected: .*protocol violation: peer sent a message of type Object, not bytes/.test(line))).toBe(true);
  await expect.poll(() => told, WAIT).toContainEqual({ "hakuban-port-close": expect.stringContaining("protocol violation") });
  expect(observed.state?.synchronized).toBe(true);
});

it("drops a port whose message is over the binding's maxMessageBytes", async () => {
  const parent = node("parent");
  const lines: string[] = [];
  const ports = listenPorts(parent, { log: (line) => lines.push(line), mux: { limits: { maxFrameBytes: 4000, maxMessageBytes: 4096 } } });
  const raw = rawChild(ports);
  raw.postMessage(new Uint8Array(4097));
  await expect.poll(() => ports.links, WAIT).toBe(0);
  expect(lines.some((line) => line.includes("over maxMessageBytes (4096)"))).toBe(true);
});

it("drops a port that says no Hello within helloTimeoutMs, and counts it", async () => {
  const parent = node("parent");
  const ports = listenPorts(parent, { helloTimeoutMs: 50 });
  rawChild(ports);
  await expect.poll(() => ports.refused.helloTimeoutMs, WAIT).toBe(1);
  expect(ports.links).toBe(0);
});

it("closes a port accepted after close, and closes with its node", async () => {
  const parent = node("parent");
  const ports = listenPorts(parent);
  const child = node("child");
  const { port1, port2 } = new MessageChannel();
  ports.accept(port1);
  const upstream = connectPort(child, port2);
  await expect.poll(() => upstream.status, WAIT).toBe("connected");
  await parent.close();
  expect(ports.links).toBe(0);
  await expect.poll(() => upstream.status, WAIT).toBe("closed");
  const late = rawChild(ports);
  const told: unknown[] = [];
  late.on("message", (message) => told.push(message));
  await expect.poll(() => told, WAIT).toEqual([{ "hakuban-port-close": "the listener is closing" }]);
});

it("authenticates each port's child by its token and holds it to the policy, as listen does", async () => {
  const parent = node("parent");
  const ports = listenPorts(parent, {
    authenticate: ({ token }) => {
      if (token !== "tab-secret") throw new Error("unknown tab");
      return { id: "tab" };
    },
    policy: { rules: [{ principal: { id: "tab" }, observe: [{ tag: "public" }], expose: [{ tag: "public" }] }] },
  });
  parent.object(["public"], "news").expose<string>().set("open");
  parent.object(["private"], "salary").expose<string>().set("secret");

  const link = (token: string): { child: LocalNode; upstream: ReturnType<typeof connectPort> } => {
    const child = node(`child with ${token}`);
    const { port1, port2 } = new MessageChannel();
    ports.accept(port1);
    return { child, upstream: connectPort(child, port2, { token }) };
  };
  const honest = link("tab-secret");
  const errors: unknown[] = [];
  honest.child.onError(({ error }) => errors.push(error));
  const news = honest.child.object(["public"], "news").observe<string>();
  const salary = honest.child.object(["private"], "salary").observe<string>();
  await expect.poll(() => news.data, WAIT).toBe("open");
  await expect.poll(() => salary.denial, WAIT).toBeInstanceOf(AccessDeniedError);
  expect(salary.state).toBeUndefined();
  expect(errors).toHaveLength(1);

  const forged = link("guess");
  await expect.poll(() => forged.upstream.status, WAIT).toBe("closed");
  expect(forged.upstream.lastError).toBeInstanceOf(LinkRefusedError);
  expect((forged.upstream.lastError as LinkRefusedError).reason).toContain("unknown tab");
});

it("checks its options before accepting anything", async () => {
  const parent = node("parent");
  expect(() => listenPorts(parent, { helloTimeoutMs: 0 })).toThrow(/listenPorts option helloTimeoutMs must be a finite number > 0/);
  await parent.close();
  expect(() => listenPorts(parent)).toThrow(NodeClosedError);
});
