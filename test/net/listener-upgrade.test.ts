import { createServer, type IncomingMessage, type Server } from "node:http";
import type { Duplex } from "node:stream";
import { describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { connect } from "../../lib/net/node/connect.js";
import { type Listener, listen } from "../../lib/net/node/listen.js";
import type { AuditEvent } from "../../lib/trust/audit-event.js";
import type { Carrier } from "../../transports/carrier.js";
import type { UpgradeRequest } from "../../transports/node/upgrade-request.js";
import { listenWebSocket } from "../../transports/node/ws-listener.js";
import { first, status } from "../e2e/helpers.js";
import { upgradeStatus } from "../e2e/http-probes.js";
import { cleanupAfterEach } from "../test-cleanup.js";

const { defer, node } = cleanupAfterEach();

/** A plain HTTP GET; resolves with the status and body. */
async function get(url: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url);
  return { status: response.status, body: await response.text() };
}

/**
 * Closes `server` and every socket it accepted: the connections fetch keeps alive, and sockets that went through
 * an upgrade, which `closeAllConnections` no longer tracks (a child redialing after its listener closed leaves one
 * unanswered, and the server would wait for it forever).
 */
function stop(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  for (const socket of sockets.get(server) ?? []) socket.destroy();
  server.closeAllConnections();
  return closed;
}

const sockets = new WeakMap<Server, Set<Duplex>>();
/** Remembers every socket `server` accepts, for {@link stop}. */
function track(server: Server): void {
  const accepted = new Set<Duplex>();
  sockets.set(server, accepted);
  server.on("connection", (socket: Duplex) => {
    accepted.add(socket);
    socket.once("close", () => accepted.delete(socket));
  });
}

/** A web app's HTTP server on a free port of 127.0.0.1, answering every plain request "app". */
async function webApp(): Promise<Server> {
  const server = createServer((_request, response) => response.end("app"));
  track(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  defer(() => stop(server));
  return server;
}

describe("allowedOrigins", () => {
  it("answers a browser's upgrade from another origin 403, counts, logs (rate-limited) and audits it, and lets listed origins and clients without Origin through", async () => {
    const lines: string[] = [];
    const audit: AuditEvent[] = [];
    const parent = node("parent");
    const listener = await listen(parent, {
      port: 0,
      allowedOrigins: ["https://app.example.com", "http://localhost:8080/"],
      audit: (event) => audit.push(event),
      log: (line) => lines.push(line),
      logRateLimit: { burst: 1 },
    });
    expect(await upgradeStatus(listener.url, { origin: "https://evil.example" })).toBe(403);
    expect(await upgradeStatus(listener.url, { origin: "https://APP.example.com:443" })).toBe(101);
    expect(await upgradeStatus(listener.url, { origin: "http://localhost:8080" })).toBe(101);
    expect(await upgradeStatus(listener.url, { origin: "null" })).toBe(403);
    expect(await upgradeStatus(listener.url, { origin: "https://app.example.com.evil.example" })).toBe(403);
    expect(listener.refused.allowedOrigins).toBe(3);
    expect(lines.filter((line) => line.includes("allowedOrigins"))).toEqual([
      expect.stringMatching(/^refused ws:\/\/127\.0\.0\.1:\d+: answered 403: origin "https:\/\/evil\.example" is not in allowedOrigins$/),
    ]);
    expect(audit.filter((event) => event.kind === "refused")).toEqual([
      { kind: "refused", at: expect.any(Number), link: expect.stringMatching(/^ws:\/\/127\.0\.0\.1:\d+$/), reason: 'answered 403: origin "https://evil.example" is not in allowedOrigins' },
      expect.objectContaining({ reason: 'answered 403: origin "null" is not in allowedOrigins' }),
      expect.objectContaining({ reason: 'answered 403: origin "https://app.example.com.evil.example" is not in allowedOrigins' }),
    ]);

    // A node (not a browser) sends no Origin.
    const child = node("child");
    await status(connect(child, listener.url), "connected");
    expect(listener.links).toBe(1);
  });

  it("refuses an entry that is not an origin, before binding", async () => {
    await expect(listen(node("parent"), { port: 0, allowedOrigins: ["https://app.example.com/path"] })).rejects.toThrow(
      /allowedOrigins: "https:\/\/app\.example\.com\/path" is not an origin; write scheme:\/\/host\[:port\]/,
    );
    await expect(listen(node("parent"), { port: 0, allowedOrigins: ["app.example.com"] })).rejects.toThrow(RangeError);
  });
});

describe("the upgrade request", () => {
  it("hands each carrier the upgrade's headers, the peer's address and the URL with its query", async () => {
    const seen: UpgradeRequest[] = [];
    const carriers: Carrier[] = [];
    const server = await listenWebSocket({ port: 0 }, (carrier, request) => {
      carriers.push(carrier);
      seen.push(request);
    });
    defer(() => server.close());
    const socket = new WebSocket(`${server.url}/hakuban?room=7`, { headers: { authorization: "Bearer t" } });
    await new Promise((resolve) => socket.once("open", resolve));
    socket.terminate();
    expect(seen).toEqual([
      {
        headers: expect.objectContaining({ authorization: "Bearer t", host: `127.0.0.1:${server.port}`, upgrade: "websocket" }),
        remoteAddress: "127.0.0.1",
        url: "/hakuban?room=7",
      },
    ]);
    expect(Object.isFrozen(seen[0]?.headers)).toBe(true);
  });
});

describe("listen on an existing server", () => {
  it("takes the upgrades to its path, leaves plain requests and other upgrades to the server, and leaves the server open when closed", async () => {
    const app = await webApp();
    const otherUpgrades: string[] = [];
    app.on("upgrade", (request: IncomingMessage, socket: Duplex) => {
      if (request.url === "/hakuban") return;
      otherUpgrades.push(request.url ?? "");
      // Answered a turn later, as a handler that looks something up would: the listener must not answer first.
      setImmediate(() => socket.end("HTTP/1.1 418 I'm a teapot\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"));
    });
    const parent = node("parent");
    const listener: Listener = await listen(parent, { server: app, path: "/hakuban" });
    const { port } = app.address() as { port: number };
    expect(listener.url).toBe(`ws://127.0.0.1:${port}/hakuban`);
    expect(listener.port).toBe(port);

    const exposer = node("exposer");
    const observer = node("observer");
    await status(connect(exposer, listener.url), "connected");
    await status(connect(observer, listener.url), "connected");
    exposer.object(["shared"], 1).expose<string>().set("over a shared port");
    const state = await first(observer.object(["shared"], 1).observe<string>().state$, (s) => s?.synchronized === true);
    expect(state?.data).toBe("over a shared port");

    expect(await get(`http://127.0.0.1:${port}/`)).toEqual({ status: 200, body: "app" });
    expect(await upgradeStatus(`ws://127.0.0.1:${port}/chat`)).toBe(418);
    expect(otherUpgrades).toEqual(["/chat"]);

    await listener.close();
    expect(listener.links).toBe(0);
    expect(app.listening).toBe(true);
    expect(await get(`http://127.0.0.1:${port}/`)).toEqual({ status: 200, body: "app" });
    expect(app.listenerCount("upgrade")).toBe(1);
  });

  it("answers an upgrade to another path 400 when nothing else on the server takes upgrades", async () => {
    const app = await webApp();
    const listener = await listen(node("parent"), { server: app, path: "/hakuban" });
    const { port } = app.address() as { port: number };
    expect(await upgradeStatus(`ws://127.0.0.1:${port}/elsewhere`)).toBe(400);
    expect(listener.refused.badRequest).toBe(1);
  });

  it("waits for a server that does not listen yet, and refuses a port given with a server", async () => {
    const app = createServer((_request, response) => response.end("app"));
    track(app);
    defer(() => stop(app));
    await expect(listen(node("parent"), { server: app, port: 0 })).rejects.toThrow(/give server, or port .*not both/);
    const listening = listen(node("late"), { server: app });
    app.listen(0, "127.0.0.1");
    const listener = await listening;
    expect(listener.url).toBe(`ws://127.0.0.1:${(app.address() as { port: number }).port}`);
  });
});
