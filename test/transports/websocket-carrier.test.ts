import { createServer, get, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { afterEach, describe, expect, it, vi } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import type { Carrier } from "../../transports/carrier.js";
import { CarrierProtocolError } from "../../transports/carrier-protocol-error.js";
import { ConnectError } from "../../transports/connect-error.js";
import { ListenError } from "../../transports/node/listen-error.js";
import { dialWebSocket, wrapWebSocket, type WebSocketConstructor, type WebSocketLike } from "../../transports/websocket-carrier.js";
import { dialWs } from "../../transports/node/ws-dial.js";
import { listenWebSocket, type WebSocketListener } from "../../transports/node/ws-listener.js";
import { CARRIER_WAIT_MS, record, settle } from "./carrier-recorder.js";
import { describeCarrierConformance } from "./conformance.js";

/** Starts a listener and dials it once (with `ws` unless `dial` is given), giving both ends of that one connection. */
async function connectedPair(
  options: { maxPayload?: number } = {},
  dial: (url: string) => Promise<Carrier> = (url) => dialWs(url, options),
): Promise<{
  a: Carrier;
  b: Carrier;
  listener: WebSocketListener;
}> {
  let accept: (carrier: Carrier) => void = () => {};
  const accepted = new Promise<Carrier>((resolve) => (accept = resolve));
  const listener = await listenWebSocket({ port: 0, ...options }, (carrier) => accept(carrier));
  const a = await dial(listener.url);
  return { a, b: await accepted, listener };
}

describeCarrierConformance("websocket", async () => {
  const { a, b, listener } = await connectedPair();
  return { a, b, dispose: () => listener.close() };
});

/**
 * A `ws` socket seen only through the browser's WebSocket surface (no `on`), so the carrier takes the
 * path it takes in a browser: addEventListener and WHATWG events.
 */
class BrowserSurface implements WebSocketLike {
  readonly #socket: WebSocket;

  constructor(url: string) {
    this.#socket = new WebSocket(url);
  }

  get binaryType(): string {
    return this.#socket.binaryType;
  }

  set binaryType(type: string) {
    this.#socket.binaryType = type as WebSocket["binaryType"];
  }

  get readyState(): number {
    return this.#socket.readyState;
  }

  get bufferedAmount(): number {
    return this.#socket.bufferedAmount;
  }

  get url(): string {
    return this.#socket.url;
  }

  send(data: Uint8Array<ArrayBuffer>): void {
    this.#socket.send(data);
  }

  close(code?: number, reason?: string): void {
    this.#socket.close(code, reason);
  }

  addEventListener(type: "open" | "message" | "error" | "close", listener: (event: never) => void): void {
    (this.#socket.addEventListener as (type: string, listener: (event: never) => void) => void)(type, listener);
  }
}

describeCarrierConformance("websocket through the browser's surface", async () => {
  const { a, b, listener } = await connectedPair({}, (url) => dialWebSocket(url, { WebSocket: BrowserSurface }));
  return { a, b, dispose: () => listener.close() };
});

describe("websocket carrier", () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it("accepts the browser's WebSocket type and ws's as its socket", () => {
    const browser: WebSocketConstructor | undefined = (globalThis as { WebSocket?: typeof globalThis.WebSocket })
      .WebSocket;
    const node: WebSocketConstructor = WebSocket;
    expect(node).toBeTypeOf("function");
    expect(browser === undefined || typeof browser === "function").toBe(true);
  });

  it("rejects with ConnectError when nothing listens on the port", async () => {
    const listener = await listenWebSocket({ port: 0 }, () => {});
    const url = listener.url;
    await listener.close();
    const error = await dialWs(url).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).url).toBe(url);
    expect((error as ConnectError).message).toMatch(/Could not connect to ws:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
  });

  it("rejects with ConnectError when the handshake does not finish in time or the dial is aborted", async () => {
    const silent = createServer();
    const held: Duplex[] = [];
    silent.on("upgrade", (_request, socket: Duplex) => held.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    cleanups.push(() => closeHttp(silent));
    cleanups.push(() => held.forEach((socket) => socket.destroy()));
    const url = `ws://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const error = await dialWs(url, { timeoutMs: 50 }).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as Error).message).toContain("no answer within 50 ms");

    const controller = new AbortController();
    const dialing = dialWs(url, { signal: controller.signal });
    await expect.poll(() => held.length, { timeout: CARRIER_WAIT_MS }).toBe(2);
    controller.abort();
    await expect(dialing).rejects.toThrow(/the dial was aborted/);
    await expect(dialWs(url, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(ConnectError);
  });

  it("rejects with ConnectError for a malformed URL", async () => {
    const error = await dialWs("not a url").catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as Error).message).toContain("Invalid URL");
  });

  it("rejects with ConnectError when no WebSocket implementation is available", async () => {
    vi.stubGlobal("WebSocket", undefined);
    cleanups.push(() => {
      vi.unstubAllGlobals();
    });
    const error = await dialWebSocket("ws://127.0.0.1:1").catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as Error).message).toContain("pass one as options.WebSocket");
  });

  it("dials with the global WebSocket by default", async () => {
    const { server, url } = await rawServer();
    cleanups.push(() => closeWss(server));
    const constructed: string[] = [];
    class RecordingWebSocket extends WebSocket {
      constructor(address: string) {
        super(address);
        constructed.push(address);
      }
    }
    vi.stubGlobal("WebSocket", RecordingWebSocket);
    cleanups.push(() => {
      vi.unstubAllGlobals();
    });
    const carrier = await dialWebSocket(url);
    expect(constructed).toEqual([url]);
    expect(carrier.peer).toBe(url);
    record(carrier);
    carrier.close();
  });

  it("closes with a clear protocol error when the peer sends a text frame", async () => {
    const { server, url } = await rawServer();
    cleanups.push(() => closeWss(server));
    server.on("connection", (socket) => socket.send("hello as text"));
    const carrier = await dialWs(url);
    const at = record(carrier);
    await at.until(() => at.closes.length === 1);
    expect(at.messages).toEqual([]);
    expect(at.closes[0]?.reason).toBe("protocol violation: peer sent a text frame");
    expect(at.closes[0]?.error).toBeInstanceOf(CarrierProtocolError);
    expect(at.closes[0]?.error?.message).toMatch(/binary frames only/);
    expect((at.closes[0]?.error as CarrierProtocolError).violation).toBe("sent a text frame");
    expect(carrier.state).toBe("closed");
  });

  it("refuses a text frame and reports the peer's close reason through the browser's surface too", async () => {
    const { server, url } = await rawServer();
    cleanups.push(() => closeWss(server));
    server.on("connection", (socket) => socket.send("hello as text"));
    const refused = record(await dialWebSocket(url, { WebSocket: BrowserSurface }));
    await refused.until(() => refused.closes.length === 1);
    expect(refused.messages).toEqual([]);
    expect(refused.closes[0]?.reason).toBe("protocol violation: peer sent a text frame");
    server.removeAllListeners("connection");
    server.on("connection", (socket) => socket.close(4001, "not today"));
    const closed = record(await dialWebSocket(url, { WebSocket: BrowserSurface }));
    await closed.until(() => closed.closes.length === 1);
    expect(closed.closes[0]).toEqual({ reason: "not today", byPeer: true });
  });

  it("tells the raw peer why it was closed", async () => {
    const { server, url } = await rawServer();
    cleanups.push(() => closeWss(server));
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      server.on("connection", (socket) => {
        socket.on("close", (code, reason) => resolve({ code, reason: reason.toString() }));
        socket.send("text");
      }),
    );
    record(await dialWs(url));
    expect(await closed).toEqual({ code: 4000, reason: "protocol violation: sent a text frame" });
  });

  it("enforces maxPayload: an oversized message closes the connection on both sides", async () => {
    const { a, b, listener } = await connectedPair({ maxPayload: 1000 });
    cleanups.push(() => listener.close());
    const atA = record(a);
    const atB = record(b);
    a.send(new Uint8Array(1000));
    await atB.until(() => atB.messages.length === 1);
    a.send(new Uint8Array(1001));
    await atB.until(() => atB.closes.length === 1);
    await atA.until(() => atA.closes.length === 1);
    expect(atB.messages).toHaveLength(1);
    expect(atB.closes[0]?.byPeer).toBe(true);
    expect(atB.closes[0]?.reason).toMatch(/max payload/i);
    expect(atB.closes[0]?.error).toBeInstanceOf(Error);
    expect(atA.closes[0]?.byPeer).toBe(true);
    expect(b.state).toBe("closed");
  });

  it("listener close releases everything: accepted carriers close, then the port is free", async () => {
    const accepted: Carrier[] = [];
    const listener = await listenWebSocket({ port: 0 }, (carrier) => accepted.push(carrier));
    const clients = await Promise.all([dialWs(listener.url), dialWs(listener.url), dialWs(listener.url)]);
    const atClients = clients.map(record);
    await expect.poll(() => accepted.length, { timeout: CARRIER_WAIT_MS }).toBe(3);
    const atAccepted = accepted.map(record);
    await listener.close();
    expect(accepted.every((carrier) => carrier.state === "closed")).toBe(true);
    for (const at of atClients) await at.until(() => at.closes.length === 1);
    for (const at of atClients) expect(at.closes[0]).toMatchObject({ byPeer: true, reason: "listener closed" });
    await settle(0);
    for (const at of atAccepted) expect(at.closes).toEqual([{ reason: "listener closed", byPeer: false }]);
    await expect(listener.close()).resolves.toBeUndefined();
    const again = await listenWebSocket({ port: listener.port }, () => {});
    await again.close();
  });

  it("listener close does not wait forever for a peer that never answers the close handshake", async () => {
    const listener = await listenWebSocket({ port: 0, closeGraceMs: 20 }, () => {});
    const socket = new WebSocket(listener.url);
    await new Promise((resolve) => socket.once("open", resolve));
    socket.pause();
    const gone = new Promise((resolve) => socket.once("close", resolve));
    await listener.close();
    socket.resume();
    await gone;
  });

  it("listener answers plain HTTP with 426 and only upgrades on its path", async () => {
    const listener = await listenWebSocket({ port: 0, path: "/hakuban" }, () => {});
    cleanups.push(() => listener.close());
    expect(listener.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/hakuban$/);
    const status = await new Promise<number | undefined>((resolve, reject) =>
      get(listener.url.replace("ws:", "http:"), { agent: false }, (response) => {
        response.resume();
        response.on("end", () => resolve(response.statusCode));
      }).on("error", reject),
    );
    expect(status).toBe(426);
    const wrongPath = await dialWs(listener.url.replace("/hakuban", "/other")).catch((thrown: unknown) => thrown);
    expect(wrongPath).toBeInstanceOf(ConnectError);
    expect((wrongPath as ConnectError).httpStatus).toBe(400);
    const carrier = await dialWs(listener.url);
    record(carrier);
    carrier.close();
  });

  it("rejects with ConnectError carrying the HTTP status when a web server answers the upgrade", async () => {
    for (const status of [200, 404]) {
      const web = createServer((_request, response) => response.writeHead(status).end("a web page"));
      await new Promise<void>((resolve) => web.listen(0, "127.0.0.1", resolve));
      cleanups.push(() => closeHttp(web));
      const url = `ws://127.0.0.1:${(web.address() as AddressInfo).port}/`;
      const error = await dialWs(url).catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(ConnectError);
      expect((error as ConnectError).httpStatus).toBe(status);
      expect((error as ConnectError).message).toContain(`answered the WebSocket upgrade with HTTP ${status} instead of switching protocols`);
    }
    // Nothing answers here at all: no status to report.
    const { server, url } = await rawServer();
    await closeWss(server);
    expect(await dialWs(url).catch((thrown: unknown) => (thrown as ConnectError).httpStatus)).toBeUndefined();
  });

  it("rejects with ListenError saying the address is in use (EADDRINUSE)", async () => {
    const listener = await listenWebSocket({ port: 0 }, () => {});
    cleanups.push(() => listener.close());
    const error = await listenWebSocket({ port: listener.port }, () => {}).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ListenError);
    expect(error).toMatchObject({ systemCode: "EADDRINUSE", address: `127.0.0.1:${listener.port}` });
    expect((error as Error).message).toMatch(/: the address is already in use \(EADDRINUSE\)\. Another process .* pick another port/);
  });

  it("rejects with ListenError saying the address is not this machine's (EADDRNOTAVAIL) or the host is unknown (ENOTFOUND)", async () => {
    const foreign = await listenWebSocket({ host: "10.255.255.1", port: 0 }, () => {}).catch((thrown: unknown) => thrown);
    expect(foreign).toBeInstanceOf(ListenError);
    expect(foreign).toMatchObject({ systemCode: "EADDRNOTAVAIL" });
    expect((foreign as Error).message).toMatch(/^Could not listen on 10\.255\.255\.1:0: the address is not available \(EADDRNOTAVAIL\)\. The host is not an address of this machine/);

    const unknown = await listenWebSocket({ host: "no-such-host.invalid", port: 1 }, () => {}).catch((thrown: unknown) => thrown);
    expect(unknown).toBeInstanceOf(ListenError);
    // Without a resolver at hand the lookup fails as EAI_AGAIN rather than ENOTFOUND; both are explained.
    expect((unknown as ListenError).systemCode).toMatch(/^(ENOTFOUND|EAI_AGAIN)$/);
    expect((unknown as Error).message).toMatch(/^Could not listen on no-such-host\.invalid:1: the host (was not found \(ENOTFOUND\)|name could not be resolved now \(EAI_AGAIN\))/);
  });

  it("refuses a port outside 0-65535 before trying to bind", async () => {
    await expect(listenWebSocket({ port: 65_536 }, () => {})).rejects.toThrow(/port must be an integer from 0 to 65535/);
    await expect(listenWebSocket({ port: -1 }, () => {})).rejects.toBeInstanceOf(RangeError);
  });

  it("closes the accepted carrier when the listener's callback throws", async () => {
    const listener = await listenWebSocket({ port: 0 }, () => {
      throw new Error("not today");
    });
    cleanups.push(() => listener.close());
    const at = record(await dialWs(listener.url));
    await at.until(() => at.closes.length === 1);
    expect(at.closes[0]?.reason).toContain("not today");
  });

  it("a wrapped socket that is no longer open is a closed carrier", async () => {
    const { server, url } = await rawServer();
    cleanups.push(() => closeWss(server));
    const socket = new WebSocket(url);
    await new Promise((resolve) => socket.once("open", resolve));
    socket.close();
    const carrier = wrapWebSocket(socket);
    expect(carrier.state).toBe("closed");
    const at = record(carrier);
    await at.until(() => at.closes.length === 1);
    expect(at.closes[0]).toEqual({ reason: "the WebSocket was not open", byPeer: true });
    await new Promise((resolve) => socket.once("close", resolve));
  });

  it("cuts an overlong close reason to what a close frame can carry", async () => {
    const { a, b, listener } = await connectedPair();
    cleanups.push(() => listener.close());
    record(a);
    const atB = record(b);
    a.close("é".repeat(200));
    await atB.until(() => atB.closes.length === 1);
    const reason = atB.closes[0]?.reason ?? "";
    expect(new TextEncoder().encode(reason).byteLength).toBeLessThanOrEqual(123);
    expect(reason.startsWith("éé")).toBe(true);
    expect(reason.endsWith("…")).toBe(true);
  });
});

async function rawServer(): Promise<{ server: WebSocketServer; url: string }> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise((resolve) => server.once("listening", resolve));
  return { server, url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function closeWss(server: WebSocketServer): Promise<void> {
  for (const socket of server.clients) socket.terminate();
  return new Promise((resolve) => server.close(() => resolve()));
}

function closeHttp(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
