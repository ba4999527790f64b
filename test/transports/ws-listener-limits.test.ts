import { afterEach, describe, expect, it } from "vitest";
import type { Carrier } from "../../transports/carrier.js";
import { ConnectError } from "../../transports/connect-error.js";
import type { ConnectionRefusal } from "../../transports/node/connection-refusal.js";
import { MessageTooLargeError } from "../../transports/node/message-too-large-error.js";
import { dialWs } from "../../transports/node/ws-dial.js";
import { listenWebSocket, type WebSocketListener, type WebSocketListenerOptions } from "../../transports/node/ws-listener.js";
import { until } from "../e2e/helpers.js";
import { record } from "./carrier-recorder.js";
import { RawTcpClient } from "./raw-tcp-client.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A listener with `options`, recording the carriers it accepts and the connections it refuses. */
async function listener(options: Omit<WebSocketListenerOptions, "port" | "onRefusal">) {
  const accepted: Carrier[] = [];
  const refusals: ConnectionRefusal[] = [];
  const server = await listenWebSocket({ port: 0, ...options, onRefusal: (refusal) => refusals.push(refusal) }, (carrier) =>
    accepted.push(carrier),
  );
  cleanups.push(() => server.close());
  return { server, accepted, refusals };
}

async function open(server: WebSocketListener, options: { readonly holdOpen?: boolean } = {}): Promise<RawTcpClient> {
  const client = await RawTcpClient.open(server.port, options);
  cleanups.push(() => client.destroy());
  return client;
}

describe("WebSocket listener limits", () => {
  it("answers upgrades over maxConnections with 503 before making any WebSocket, counts them, and reuses a freed slot", async () => {
    const { server, accepted, refusals } = await listener({ maxConnections: 2 });
    const first = await dialWs(server.url);
    await dialWs(server.url);
    const refused = await Promise.all([1, 2, 3].map(() => dialWs(server.url).catch((error: unknown) => error)));
    for (const error of refused) expect((error as ConnectError).httpStatus).toBe(503);
    const raw = await open(server);
    raw.requestUpgrade();
    await raw.closed;
    expect(raw.text).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n[^]*Retry-After: 10\r\n/);

    expect(accepted).toHaveLength(2);
    expect(server.connections).toBe(2);
    expect(server.refused).toEqual({ maxConnections: 4, maxPendingUpgrades: 0, upgradeTimeoutMs: 0, badRequest: 0, allowedOrigins: 0 });
    expect(refusals.at(-1)).toEqual({
      reason: "maxConnections",
      peer: raw.peer,
      detail: "answered 503: 2 WebSocket connections are open (maxConnections)",
    });

    const atFirst = record(first);
    first.close();
    await atFirst.until(() => atFirst.closes.length === 1);
    await until(() => server.connections === 1);
    (await dialWs(server.url)).close();
  });

  it("closes a socket over maxPendingUpgrades as soon as it connects, and serves upgrades again once the idle ones are gone", async () => {
    const { server, refusals } = await listener({ maxPendingUpgrades: 3, upgradeTimeoutMs: 60_000 });
    const idle = await Promise.all([1, 2, 3].map(() => open(server)));
    await until(() => server.pendingUpgrades === 3);
    const over = await Promise.all([1, 2].map(() => open(server)));
    await Promise.all(over.map((client) => client.closed));
    expect(over.map((client) => client.text)).toEqual(["", ""]);
    expect(server.refused.maxPendingUpgrades).toBe(2);
    expect(refusals.map((refusal) => refusal.peer)).toEqual(over.map((client) => client.peer));
    expect(refusals[0]?.detail).toBe("closed at once: 3 connections are waiting to upgrade (maxPendingUpgrades)");

    for (const client of idle) client.destroy();
    await until(() => server.pendingUpgrades === 0);
    (await dialWs(server.url)).close();
  });

  it("answers 408 to sockets that have not upgraded within upgradeTimeoutMs: silent ones and ones stuck in their headers", async () => {
    const { server, refusals } = await listener({ upgradeTimeoutMs: 50 });
    const silent = await open(server);
    const slow = await open(server);
    slow.socket.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n");
    await Promise.all([silent.closed, slow.closed]);
    for (const client of [silent, slow]) expect(client.text).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(server.refused.upgradeTimeoutMs).toBe(2);
    expect(server.pendingUpgrades).toBe(0);
    expect(refusals.map((refusal) => refusal.peer).sort()).toEqual([silent.peer, slow.peer].sort());
    expect(refusals[0]?.detail).toBe("answered 408: no WebSocket upgrade within 50 ms (upgradeTimeoutMs)");
    // An upgrade in time is not affected.
    (await dialWs(server.url)).close();
  });

  it("answers 400 to requests that are not a WebSocket upgrade for this listener, and reports each", async () => {
    const { server, refusals, accepted } = await listener({ path: "/hakuban" });
    const wrongPath = await dialWs(server.url.replace("/hakuban", "/other")).catch((error: unknown) => error);
    expect((wrongPath as ConnectError).httpStatus).toBe(400);
    const noKey = await open(server);
    noKey.requestUpgrade("/hakuban", { "Sec-WebSocket-Key": undefined });
    const garbage = await open(server);
    garbage.socket.write("HELLO THERE\r\n\r\n");
    await Promise.all([noKey.closed, garbage.closed]);
    for (const client of [noKey, garbage]) expect(client.text).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(server.refused.badRequest).toBe(3);
    expect(accepted).toHaveLength(0);
    expect(refusals.map((refusal) => refusal.detail)).toEqual([
      "answered 400: asked to upgrade /other, this listener upgrades /hakuban only",
      "answered 400: Missing or invalid Sec-WebSocket-Key header",
      expect.stringMatching(/^answered 400: malformed HTTP \(HPE_/),
    ]);
    expect(refusals.slice(1).map((refusal) => refusal.peer)).toEqual([noKey.peer, garbage.peer]);
    await until(() => server.pendingUpgrades === 0);
  });

  it("names each accepted carrier after its peer's address, captured when it connected", async () => {
    const { server, accepted } = await listener({});
    const client = await open(server);
    await client.upgrade();
    await until(() => accepted.length === 1);
    expect(accepted[0]?.peer).toBe(client.peer);
  });

  it("closes a connection whose message is over maxPayload with MessageTooLargeError, on the listener's side and the dialer's", async () => {
    const { server, accepted } = await listener({ maxPayload: 1000 });
    const dialed = await dialWs(server.url, { maxPayload: 1000 });
    await until(() => accepted.length === 1);
    const atListener = record(accepted[0]!);
    const atDialer = record(dialed);
    dialed.send(new Uint8Array(1001));
    await atListener.until(() => atListener.closes.length === 1);
    expect(atListener.closes[0]?.error).toBeInstanceOf(MessageTooLargeError);
    expect(atListener.closes[0]?.reason).toMatch(/larger than the max payload of 1000 bytes \(maxPayload\)/);
    await atDialer.until(() => atDialer.closes.length === 1);

    const second = await dialWs(server.url, { maxPayload: 1000 });
    await until(() => accepted.length === 2);
    const atSecond = record(second);
    accepted[1]!.send(new Uint8Array(1001));
    await atSecond.until(() => atSecond.closes.length === 1);
    expect(atSecond.closes[0]?.error).toMatchObject({ code: "MESSAGE_TOO_LARGE", maxPayload: 1000 });
  });

  it("releases a connection cut off for a message over maxPayload within closeGraceMs, though its peer never answers the close", async () => {
    const { server, accepted } = await listener({ maxPayload: 1000, closeGraceMs: 50 });
    const client = await open(server, { holdOpen: true });
    await client.upgrade();
    await until(() => accepted.length === 1);
    const atListener = record(accepted[0]!);
    client.startMessage(1_000_000);
    client.socket.write(Buffer.alloc(64 * 1024));
    await client.until(() => client.closeCode !== undefined);
    expect(client.closeCode).toBe(1009);
    await atListener.until(() => atListener.closes.length === 1);
    expect(atListener.closes[0]?.error).toBeInstanceOf(MessageTooLargeError);
    expect(server.connections).toBe(0);
  });

  it("refuses limits that are not whole numbers from 1 up", async () => {
    await expect(listenWebSocket({ port: 0, maxConnections: 0 }, () => {})).rejects.toThrow(/maxConnections must be a whole number from 1 up/);
    await expect(listenWebSocket({ port: 0, upgradeTimeoutMs: 1.5 }, () => {})).rejects.toBeInstanceOf(RangeError);
    await expect(listenWebSocket({ port: 0, maxPayload: Number.NaN }, () => {})).rejects.toThrow(/maxPayload/);
  });
});
