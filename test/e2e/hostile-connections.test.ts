/**
 * Hostile connections against a listener over real sockets: more connections than maxConnections,
 * sockets that never upgrade or never say Hello, messages over the WebSocket limit (and many of them
 * left unfinished, with the listener's memory measured in a process of its own). Each is refused or
 * closed with lines that a flood cannot multiply, while an honest exposer and observer linked to the
 * same listener keep exchanging updates.
 */
import { afterEach, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { resolveBindingLimits } from "../../bindings/limits.js";
import { type ConnectOptions, LocalNode, connect, listen, type ListenOptions } from "../../lib/node-entry.js";
import type { ConnectError } from "../../transports/connect-error.js";
import { MessageTooLargeError } from "../../transports/node/message-too-large-error.js";
import { dialWs } from "../../transports/node/ws-dial.js";
import { ManualTimers } from "../net/manual-timers.js";
import { RawTcpClient } from "../transports/raw-tcp-client.js";
import { first, status } from "./helpers.js";
import { ListenerProcess } from "./spawned-listener.js";

/** The most ticks an honest observer may miss in a row while the listener is under attack. */
const GAP_BOUND = 25;

const nodes: LocalNode[] = [];
const intervals: ReturnType<typeof setInterval>[] = [];
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const interval of intervals.splice(0)) clearInterval(interval);
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await Promise.all(nodes.splice(0).map((each) => each.close()));
});

function node(name: string): LocalNode {
  const made = new LocalNode({ name });
  nodes.push(made);
  return made;
}

/** A router node listening with `options`; its log lines are kept as "<severity> <line>". */
async function router(options: Omit<ListenOptions, "port" | "log">) {
  const lines: string[] = [];
  const listener = await listen(node("router"), { ...options, port: 0, log: (line, severity) => lines.push(`${severity} ${line}`) });
  return { listener, lines };
}

/**
 * An exposer that publishes a tick every 10 ms and an observer of it on another node, both linked to
 * `url`. `flowing()` resolves once the observer has seen 5 more ticks, with the largest run of ticks
 * it missed since the previous call: how much an attack in between disturbed it, counted in updates.
 */
async function honestPair(url: string, options: ConnectOptions = {}) {
  const exposerNode = node("exposer");
  const observerNode = node("observer");
  await status(connect(exposerNode, url, options), "connected");
  await status(connect(observerNode, url, options), "connected");
  const exposer = exposerNode.object(["ticks"], null).expose<number>();
  let tick = 0;
  intervals.push(setInterval(() => exposer.set(++tick), 10));
  const observer = observerNode.object(["ticks"], null).observe<number>();
  const seen: number[] = [];
  observer.onChange((state) => {
    if (state?.synchronized === true) seen.push(state.data);
  });
  await first(observer.state$, (state) => state?.synchronized === true);
  let from = 0;
  return {
    async flowing(): Promise<number> {
      const last = seen.at(-1) ?? 0;
      await first(observer.state$, (state) => state !== undefined && state.synchronized && state.data >= last + 5);
      const since = seen.slice(Math.max(from - 1, 0));
      from = seen.length;
      return Math.max(...since.slice(1).map((value, index) => value - since[index]!));
    },
  };
}

async function raw(port: number): Promise<RawTcpClient> {
  const client = await RawTcpClient.open(port);
  cleanups.push(() => client.destroy());
  return client;
}

function count(lines: readonly string[], pattern: RegExp): number {
  return lines.filter((line) => pattern.test(line)).length;
}

it("refuses connections over maxConnections with 503 and one summary line, while honest clients are served", async () => {
  const timers = new ManualTimers();
  const { listener, lines } = await router({ maxConnections: 4, helloTimeoutMs: 60_000, logRateLimit: { burst: 2, timers } });
  const pair = await honestPair(listener.url);
  const holders = await Promise.all([1, 2].map(() => raw(listener.port)));
  await Promise.all(holders.map((holder) => holder.upgrade()));
  await pair.flowing();

  const refused = await Promise.all(Array.from({ length: 12 }, () => dialWs(listener.url).catch((error: unknown) => error)));
  expect(refused.map((error) => (error as ConnectError).httpStatus)).toEqual(Array(12).fill(503));
  expect(listener.refused.maxConnections).toBe(12);
  expect(await pair.flowing()).toBeLessThanOrEqual(GAP_BOUND);

  const oneByOne = /^warn refused ws:\/\/127\.0\.0\.1:\d+: answered 503: 4 WebSocket connections are open \(maxConnections\)$/;
  expect(count(lines, oneByOne)).toBe(2);
  timers.elapse();
  expect(lines.filter((line) => /maxConnections/.test(line) && !oneByOne.test(line))).toEqual([
    "warn refused 12 connections over maxConnections (4) with 503 in the last 10 s (the first 2 logged one by one)",
  ]);

  // Once the slots are free again, a new client links.
  for (const holder of holders) holder.destroy();
  await expect.poll(() => listener.links).toBe(2);
  await status(connect(node("late"), listener.url), "connected");
});

it("closes sockets that never send their upgrade after upgradeTimeoutMs, with one summary line", async () => {
  const timers = new ManualTimers();
  const { listener, lines } = await router({ upgradeTimeoutMs: 100, logRateLimit: { burst: 1, timers } });
  const pair = await honestPair(listener.url);
  await pair.flowing();
  const silent = await Promise.all(Array.from({ length: 8 }, () => raw(listener.port)));
  await Promise.all(silent.map((client) => client.closed));
  for (const client of silent) expect(client.text).toMatch(/^HTTP\/1\.1 408 /);
  expect(listener.refused.upgradeTimeoutMs).toBe(8);
  expect(await pair.flowing()).toBeLessThanOrEqual(GAP_BOUND);

  const peers = silent.map((client) => client.peer);
  const oneByOne = lines.filter((line) => line.includes("upgradeTimeoutMs"));
  expect(oneByOne).toHaveLength(1);
  expect(peers.some((peer) => oneByOne[0]!.startsWith(`warn refused ${peer}: answered 408: no WebSocket upgrade within 100 ms`))).toBe(true);
  timers.elapse();
  expect(lines.filter((line) => line.includes("upgradeTimeoutMs")).slice(1)).toEqual([
    "warn closed 8 connections that sent no WebSocket upgrade within 100 ms (upgradeTimeoutMs) in the last 10 s (the first 1 logged one by one)",
  ]);
});

it("closes sockets over maxPendingUpgrades as they connect, so idle sockets cannot lock honest clients out for good", async () => {
  const timers = new ManualTimers();
  const { listener, lines } = await router({ maxPendingUpgrades: 4, upgradeTimeoutMs: 60_000, logRateLimit: { burst: 1, timers } });
  const pair = await honestPair(listener.url);
  const idle = await Promise.all(Array.from({ length: 10 }, () => raw(listener.port)));
  await expect.poll(() => idle.filter((client) => client.isClosed).length).toBe(6);
  expect(listener.refused.maxPendingUpgrades).toBe(6);
  expect(await pair.flowing()).toBeLessThanOrEqual(GAP_BOUND);
  timers.elapse();
  expect(lines.filter((line) => line.includes("maxPendingUpgrades"))).toEqual([
    expect.stringMatching(/^warn refused ws:\/\/127\.0\.0\.1:\d+: closed at once: 4 connections are waiting to upgrade \(maxPendingUpgrades\)$/),
    "warn closed 6 connections at once over maxPendingUpgrades (4) in the last 10 s (the first 1 logged one by one)",
  ]);
  for (const client of idle) client.destroy();
  await status(connect(node("late"), listener.url), "connected");
});

it("drops connections that upgrade but never say Hello after helloTimeoutMs, with one line each at most and one summary", async () => {
  const timers = new ManualTimers();
  const { listener, lines } = await router({ helloTimeoutMs: 100, logRateLimit: { burst: 1, timers } });
  const pair = await honestPair(listener.url);
  await pair.flowing();
  const warnings = count(lines, /^warn /);
  const mute = await Promise.all(Array.from({ length: 6 }, () => raw(listener.port)));
  await Promise.all(mute.map((client) => client.upgrade()));
  await Promise.all(mute.map((client) => client.closed));
  expect(listener.refused.helloTimeoutMs).toBe(6);
  expect(await pair.flowing()).toBeLessThanOrEqual(GAP_BOUND);

  timers.elapse();
  const dropped = lines.filter((line) => line.startsWith("warn ")).slice(warnings);
  expect(dropped).toEqual([
    expect.stringMatching(/^warn child ws:\/\/127\.0\.0\.1:\d+ disconnected: no Hello within 100 ms \(helloTimeoutMs\)$/),
    "warn dropped 6 connections that sent no Hello within 100 ms (helloTimeoutMs) in the last 10 s (the first 1 logged one by one)",
  ]);
  expect(mute.map((client) => client.peer)).toContain(/(ws:\S+)/.exec(dropped[0]!)?.[1]);
});

it("a parent cannot send a child a message over the child's maxMessageBytes", async () => {
  const limits = { maxFrameBytes: 4096 };
  const maxMessageBytes = resolveBindingLimits(limits).maxMessageBytes;
  const parent = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  cleanups.push(() => new Promise<void>((resolve) => parent.close(() => resolve())));
  parent.on("connection", (socket) => socket.send(new Uint8Array(maxMessageBytes + 1)));
  await new Promise((resolve) => parent.once("listening", resolve));
  const { port } = parent.address() as { port: number };
  const upstream = connect(node("child"), `ws://127.0.0.1:${port}`, { mux: { limits }, reconnect: false });
  await status(upstream, "closed");
  expect(upstream.lastError?.message).toContain(`larger than the max payload of ${maxMessageBytes} bytes (maxPayload)`);
});

it("closes connections whose message is over the limit before buffering it: many unfinished large messages leave the listener's memory flat", async () => {
  const limits = { maxFrameBytes: 64 * 1024 };
  const maxMessageBytes = resolveBindingLimits(limits).maxMessageBytes;
  const listener = new ListenerProcess({ mux: { limits }, logRateLimit: { burst: 3 } });
  cleanups.push(() => listener.stop());
  const url = await listener.url;
  const pair = await honestPair(url, { mux: { limits } });
  await pair.flowing();
  const before = await listener.memory();

  // Each attacker starts an 8 MiB message and sends half of it: 30 × 4 MiB if the listener kept them.
  const port = Number(new URL(url).port);
  const attackers = await Promise.all(Array.from({ length: 30 }, () => raw(port)));
  await Promise.all(attackers.map((attacker) => attacker.upgrade()));
  await Promise.all(
    attackers.map((attacker) => {
      attacker.startMessage(8 * 1024 * 1024);
      const sent = new Promise<void>((resolve) => attacker.socket.write(Buffer.alloc(4 * 1024 * 1024), () => resolve()));
      return Promise.race([sent, attacker.closed]);
    }),
  );
  const after = await listener.memory();
  // Buffers (ws' unfinished messages among them) are counted in arrayBuffers.
  expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(16 * 1024 * 1024);
  expect(await pair.flowing()).toBeLessThanOrEqual(GAP_BOUND);

  await Promise.all(attackers.map((attacker) => attacker.closed));
  for (const attacker of attackers) expect(attacker.closeCode).toBe(1009);
  await expect.poll(() => count(listener.lines, /^warn child .* disconnected: .*the peer sent a WebSocket message larger than the max payload/)).toBe(3);
  const peers = attackers.map((attacker) => attacker.peer);
  for (const line of listener.lines.filter((each) => each.includes("max payload"))) {
    expect(line).toContain(`max payload of ${maxMessageBytes} bytes (maxPayload)`);
    expect(peers).toContain(/child (ws:\S+) disconnected/.exec(line)?.[1]);
  }
});
