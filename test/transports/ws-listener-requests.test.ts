import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import type { ConnectionRefusal } from "../../transports/node/connection-refusal.js";
import { dialWs } from "../../transports/node/ws-dial.js";
import { listenWebSocket, type WebSocketListenerOptions } from "../../transports/node/ws-listener.js";
import { until } from "../e2e/helpers.js";
import { fetchText } from "../e2e/http-probes.js";
import { makeTestCertificates } from "../e2e/tls-certificates.js";
import { record } from "./carrier-recorder.js";
import { RawTcpClient } from "./raw-tcp-client.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A listener whose plain requests go to `onRequest`, recording the connections it refuses. */
async function listener(onRequest: (request: IncomingMessage, response: ServerResponse) => void, options: Omit<WebSocketListenerOptions, "port" | "onRequest" | "onRefusal"> = {}) {
  const refusals: ConnectionRefusal[] = [];
  const server = await listenWebSocket({ port: 0, ...options, onRequest, onRefusal: (refusal) => refusals.push(refusal) }, () => {});
  cleanups.push(() => server.close());
  return { server, refusals };
}

describe("WebSocket listener plain requests", () => {
  it("hands plain requests to onRequest, closes each socket after its answer, and still upgrades on the same port", async () => {
    const seen: string[] = [];
    const { server } = await listener((request, response) => {
      seen.push(`${request.method} ${request.url}`);
      response.writeHead(200, { "content-type": "text/plain" }).end("hello\n");
    });
    const answer = await fetchText(`http://127.0.0.1:${server.port}/healthz?x=1`);
    expect(answer).toMatchObject({ status: 200, body: "hello\n" });
    expect(answer.headers.connection).toBe("close");
    expect(seen).toEqual(["GET /healthz?x=1"]);

    const raw = await RawTcpClient.open(server.port);
    cleanups.push(() => raw.destroy());
    raw.socket.write("GET /a HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n");
    await raw.until(() => raw.text.includes("hello\n"));
    expect(raw.text).toMatch(/^HTTP\/1\.1 200 OK\r\n(?:[^\r\n]*\r\n)*?connection: close\r\n/i);
    await raw.closed;
    expect(seen).toEqual(["GET /healthz?x=1", "GET /a"]);
    await until(() => server.pendingUpgrades === 0);

    const carrier = await dialWs(server.url);
    record(carrier);
    carrier.close();
  });

  it("keeps a socket being answered among the pending ones, and cuts it off when not answered within upgradeTimeoutMs", async () => {
    const held: ServerResponse[] = [];
    const { server, refusals } = await listener((_request, response) => held.push(response), { upgradeTimeoutMs: 200 });
    const answered = await RawTcpClient.open(server.port);
    cleanups.push(() => answered.destroy());
    answered.socket.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    await until(() => held.length === 1);
    expect(server.pendingUpgrades).toBe(1);
    held[0]!.end("done");
    await answered.closed;
    expect(answered.text).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\ndone$/);
    expect(server.pendingUpgrades).toBe(0);

    const stalled = await RawTcpClient.open(server.port);
    cleanups.push(() => stalled.destroy());
    stalled.socket.write("GET /slow HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    await stalled.closed;
    expect(stalled.text).toBe("");
    expect(server.refused.upgradeTimeoutMs).toBe(1);
    expect(refusals).toEqual([
      {
        reason: "upgradeTimeoutMs",
        peer: stalled.peer,
        detail: "closed: its HTTP request was not answered within 200 ms of connecting (upgradeTimeoutMs)",
      },
    ]);
    await until(() => server.pendingUpgrades === 0);
  });

  it("answers 500 when onRequest throws, and 426 without onRequest", async () => {
    const { server } = await listener(() => {
      throw new Error("no handler for this");
    });
    const failed = await fetchText(`http://127.0.0.1:${server.port}/`);
    expect(failed).toMatchObject({ status: 500, body: "The request handler failed: no handler for this\n" });

    const plain = await listenWebSocket({ port: 0 }, () => {});
    cleanups.push(() => plain.close());
    const refused = await fetchText(`http://127.0.0.1:${plain.port}/`);
    expect(refused).toMatchObject({ status: 426, body: "This is a hakuban WebSocket endpoint.\n" });
    expect(refused.headers.connection).toBe("close");
  });

  it("answers plain requests over TLS too", async () => {
    const certificates = makeTestCertificates();
    cleanups.push(() => certificates.remove());
    const { server } = await listener((_request, response) => response.end("secure"), {
      tls: { cert: certificates.cert, key: certificates.key },
      upgradeTimeoutMs: 60_000,
    });
    const answer = await fetchText(`https://127.0.0.1:${server.port}/`, { ca: certificates.ca });
    expect(answer).toMatchObject({ status: 200, body: "secure" });
    await until(() => server.pendingUpgrades === 0);
  });

  it("refuses onRequest with an attached server, whose own handlers answer", async () => {
    const web = createServer();
    cleanups.push(() => new Promise<void>((resolve) => web.close(() => resolve())));
    await expect(listenWebSocket({ server: web, onRequest: () => {} }, () => {})).rejects.toThrow(
      /give server, or port \(with host, tls and onRequest\), not both/,
    );
  });
});
