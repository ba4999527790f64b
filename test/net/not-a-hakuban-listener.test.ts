import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocketServer, type WebSocket } from "ws";
import { LocalNode, NotAHakubanListenerError, connect, listen } from "../../lib/node-entry.js";

// connect() against servers that are not hakuban listeners, over real sockets on 127.0.0.1.

/** A server on a free port, and how to stop it. */
interface TestServer {
  readonly url: string;
  close(): Promise<void>;
}

async function webSocketServer(onConnection: (socket: WebSocket) => void): Promise<TestServer> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise((resolve) => server.once("listening", resolve));
  server.on("connection", onConnection);
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      for (const socket of server.clients) socket.terminate();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

async function httpServer(status: number): Promise<TestServer> {
  const server: Server = createServer((_request, response) => response.writeHead(status).end("<html>a web page</html>"));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * Connects a node to `server` until three attempts have failed. Timers fire at once (the test does
 * not wait for the backoff) but the delays asked for are recorded, so the backoff can be checked.
 */
async function failThreeTimes(server: TestServer) {
  cleanups.push(() => server.close());
  const node = new LocalNode({ name: "child" });
  cleanups.push(() => node.close());
  const lines: string[] = [];
  const delays: number[] = [];
  const errorsSeenWithStatus: unknown[] = [];
  const upstream = connect(node, server.url, {
    welcomeTimeoutMs: 100,
    initialDelayMs: 40,
    factor: 2,
    random: () => 0.5,
    timers: {
      setTimeout: (callback, ms) => {
        delays.push(ms);
        return setTimeout(callback, 0);
      },
      clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    },
    log: (line, severity) => lines.push(`${severity} ${line}`),
  });
  await new Promise<void>((resolve) => {
    upstream.status$.subscribe((status) => {
      if (status !== "disconnected") return;
      errorsSeenWithStatus.push(upstream.lastError);
      if (errorsSeenWithStatus.length === 3) resolve();
    });
  });
  await node.close();
  return { lastError: upstream.lastError, lines, delays, errorsSeenWithStatus };
}

describe("connect to a server that is not a hakuban listener", () => {
  it.each([
    ["a WebSocket echo server", () => webSocketServer((socket) => socket.on("message", (data, binary) => socket.send(data, { binary }))), /it answered the link's Hello with something else \(.*received Hello/],
    ["an HTTP server answering 200", () => httpServer(200), /it answered the WebSocket upgrade with HTTP 200/],
    ["an HTTP server answering 404", () => httpServer(404), /it answered the WebSocket upgrade with HTTP 404/],
    ["a WebSocket server sending text", () => webSocketServer((socket) => socket.send("hello, who are you?")), /it sent a text frame/],
    ["a WebSocket server sending garbage", () => webSocketServer((socket) => socket.send(new Uint8Array(32).fill(0xff))), /it answered the link's Hello with something else/],
    ["a WebSocket server that says nothing", () => webSocketServer(() => {}), /it did not answer the link's Hello within 100 ms/],
  ])("%s: one clear error, set before the status, logged once per attempt, redialed with growing delays", async (_name, start, detail) => {
    const server = await start();
    const { lastError, lines, delays, errorsSeenWithStatus } = await failThreeTimes(server);

    expect(lastError).toBeInstanceOf(NotAHakubanListenerError);
    expect(lastError).toMatchObject({ code: "NOT_A_HAKUBAN_LISTENER", url: server.url });
    expect(lastError?.message.startsWith(`${server.url} is not a hakuban listener: `)).toBe(true);
    expect(lastError?.message).toMatch(detail);
    // Each "disconnected" came with its reason already in lastError.
    for (const error of errorsSeenWithStatus) expect(error).toBeInstanceOf(NotAHakubanListenerError);
    // One warning line per failed attempt, nothing else above debug after the first status.
    const warnings = lines.filter((line) => line.startsWith("warn "));
    expect(warnings.length).toBeGreaterThanOrEqual(3);
    for (const warning of warnings) expect(warning.startsWith(`warn upstream ${server.url} is not a hakuban listener: `)).toBe(true);
    expect(lines.filter((line) => line.startsWith("info "))).toEqual([`info upstream ${server.url}: connecting`, "info upstream " + server.url + ": closed"]);
    // Backoff: 0.5 × 40 × 2^n, never reset by a connection the server held open without a Welcome.
    expect(delays.slice(0, 3)).toEqual([20, 40, 80]);
  });

  // How soon a listener answers is not this test's business (a loaded machine can take longer than the
  // 100 ms above): what a real listener answers must be taken for a Welcome.
  it("a hakuban listener is not taken for a stranger: welcomed, no error", async () => {
    const parent = new LocalNode({ name: "parent" });
    cleanups.push(() => parent.close());
    const listener = await listen(parent, { port: 0 });
    const child = new LocalNode({ name: "child" });
    cleanups.push(() => child.close());
    const upstream = connect(child, listener.url, { welcomeTimeoutMs: 10_000 });
    await new Promise<void>((resolve) => upstream.onStatus((status) => status === "connected" && resolve()));
    expect(upstream.lastError).toBeUndefined();
  });
});
