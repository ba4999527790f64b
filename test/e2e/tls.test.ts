import { createServer as createHttpsServer } from "node:https";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { LocalNode } from "../../lib/local-node/local-node.js";
import type { Upstream, UpstreamStatus } from "../../lib/net/connect.js";
import { connect } from "../../lib/net/node/connect.js";
import { listen } from "../../lib/net/node/listen.js";
import { ConnectError } from "../../transports/connect-error.js";
import type { ConnectionRefusal } from "../../transports/node/connection-refusal.js";
import { TlsOptionsError } from "../../transports/node/tls-options-error.js";
import { dialWs } from "../../transports/node/ws-dial.js";
import { listenWebSocket } from "../../transports/node/ws-listener.js";
import { RawTcpClient } from "../transports/raw-tcp-client.js";
import { first, status } from "./helpers.js";
import { makeTestCertificates, type TestCertificates } from "./tls-certificates.js";

let certificates: TestCertificates;
let ca: string;
let tls: { cert: string; key: string };
beforeAll(() => {
  certificates = makeTestCertificates();
  ({ ca } = certificates);
  tls = { cert: certificates.cert, key: certificates.key };
});
afterAll(() => certificates.remove());

const nodes: LocalNode[] = [];
const cleanups: (() => Promise<void>)[] = [];
function node(name: string): LocalNode {
  const made = new LocalNode({ name });
  nodes.push(made);
  return made;
}
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((each) => each.close()));
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** Resolves once `upstream` has entered "connecting" `times` times (its first dial counts). */
function dials(upstream: Upstream, times: number): Promise<UpstreamStatus> {
  let seen = 0;
  return first(upstream.status$, (each) => each === "connecting" && ++seen >= times);
}

/** Fast redials, so a test sees the backoff at work without waiting for it. */
const quickRedial = { initialDelayMs: 5, maxDelayMs: 20 } as const;

describe("TLS", () => {
  it("links a child to a wss:// listener whose certificate a private CA signed, when the child trusts that CA", async () => {
    const parent = node("parent");
    const listener = await listen(parent, { port: 0, tls });
    expect(listener.url).toMatch(/^wss:\/\/127\.0\.0\.1:\d+$/);
    const exposer = node("exposer");
    const observer = node("observer");
    await status(connect(exposer, listener.url, { tls: { ca } }), "connected");
    await status(connect(observer, listener.url.replace("127.0.0.1", "localhost"), { tls: { ca: [Buffer.from(ca)] } }), "connected");
    exposer.object(["tls"], 1).expose<string>().set("encrypted");
    const state = await first(observer.object(["tls"], 1).observe<string>().state$, (s) => s?.synchronized === true);
    expect(state?.data).toBe("encrypted");
    expect(listener.links).toBe(2);
  });

  it("fails a child that does not trust the certificate with an error saying to pass the CA, and redials with backoff", async () => {
    const listener = await listen(node("parent"), { port: 0, tls });
    const upstream = connect(node("child"), listener.url, quickRedial);
    await dials(upstream, 3);
    expect(upstream.lastError).toBeInstanceOf(ConnectError);
    expect(upstream.lastError?.message).toMatch(/the server's TLS certificate is not trusted \(\w+: .*\); if a private CA signed it, pass that CA with \{ tls: \{ ca \} \}/);
    expect(listener.links).toBe(0);
  });

  it("fails a ws:// dial to the TLS port with an error saying to dial wss://, and the listener logs why", async () => {
    const lines: string[] = [];
    const listener = await listen(node("parent"), { port: 0, tls, log: (line) => lines.push(line) });
    const upstream = connect(node("child"), listener.url.replace("wss:", "ws:"), quickRedial);
    await dials(upstream, 2);
    expect(upstream.lastError?.message).toMatch(/the server hung up on the WebSocket upgrade .*; if it serves TLS, dial wss:\/\/ instead/);
    expect(listener.refused.badRequest).toBeGreaterThanOrEqual(1);
    expect(lines).toContainEqual(
      expect.stringMatching(/^refused wss:\/\/127\.0\.0\.1:\d+: closed: a plain HTTP request on this TLS port \(the client should dial wss:\/\/\)$/),
    );
  });

  it("attaches to an existing https server, whose URL is wss://", async () => {
    const server = createHttpsServer(tls, (_request, response) => response.end("app"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        }),
    );
    const listener = await listen(node("parent"), { server, path: "/hakuban" });
    expect(listener.url).toBe(`wss://127.0.0.1:${listener.port}/hakuban`);
    await status(connect(node("child"), listener.url, { tls: { ca } }), "connected");
    expect(listener.links).toBe(1);
  });

  it("counts a TLS connection as pending until its upgrade, and closes one that does not even finish its TLS handshake in time", async () => {
    const refusals: ConnectionRefusal[] = [];
    const server = await listenWebSocket({ port: 0, tls, upgradeTimeoutMs: 50, onRefusal: (refusal) => refusals.push(refusal) }, () => {});
    cleanups.push(() => server.close());
    const carrier = await dialWs(server.url, { tls: { ca } });
    expect(server.pendingUpgrades).toBe(0);

    const silent = await RawTcpClient.open(server.port);
    cleanups.push(async () => silent.destroy());
    await silent.closed;
    expect(refusals).toEqual([
      { reason: "upgradeTimeoutMs", peer: silent.peer.replace("ws:", "wss:"), detail: "closed: no TLS handshake and WebSocket upgrade within 50 ms (upgradeTimeoutMs)" },
    ]);
    expect(server.connections).toBe(1);
    carrier.close();
  });

  it("refuses a certificate or key that is not PEM with TlsOptionsError, before binding", async () => {
    await expect(listen(node("parent"), { port: 0, tls: { cert: "not a certificate", key: tls.key } })).rejects.toThrow(TlsOptionsError);
    await expect(listen(node("parent"), { port: 0, tls: { cert: tls.cert, key: "nor a key" } })).rejects.toThrow(
      /The TLS certificate or key cannot be used \(.*\); pass the PEM text of the certificate/,
    );
  });
});
