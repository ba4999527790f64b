import { describe, expect, it } from "vitest";
import { parseWebSocketUrl } from "../../lib/net/websocket-url.js";

describe("parseWebSocketUrl", () => {
  it.each([
    ["ws://127.0.0.1:3901", "ws://127.0.0.1:3901/"],
    ["wss://example.com/hakuban", "wss://example.com/hakuban"],
    ["WS://[::1]:4000/x?y=1", "ws://[::1]:4000/x?y=1"],
    ["ws://user@host:80", "ws://user@host/"],
    ["ws://host:/p", "ws://host/p"],
  ])("accepts %s", (text, href) => {
    expect(parseWebSocketUrl(text).href).toBe(href);
  });

  it.each([
    ["ws//127.0.0.1:3901", 'the scheme needs a colon: "ws://", not "ws//"'],
    ["127.0.0.1:3901", "it does not start with ws:// or wss://"],
    ["localhost:3901", "it does not start with ws:// or wss://"],
    ["ws://127.0.0.1:39O1", 'its port "39O1" is not a number'],
    ["http://127.0.0.1:3901", "its scheme is http://, and a WebSocket URL starts with ws:// or wss:// (use ws:// for a plain connection)"],
    ["https://example.com", "(use wss:// for TLS)"],
    ["ftp://example.com", "its scheme is ftp://"],
    ["", "it is empty"],
    ["  ", "it is empty"],
    ["ws://127.0.0.1:65536", "its port 65536 is out of range (ports go up to 65535)"],
    ["ws://127.0.0.1:0", "port 0 cannot be dialed"],
    ["ws://127.0.0.1:3901/#top", 'it has a fragment ("#top"), and WebSocket URLs cannot have one'],
    ["ws://127.0.0.1:3901#", 'it has a fragment ("#")'],
    ["ws://:3901", "it has no host"],
    ["ws://exa mple.com:1", 'its host "exa mple.com" is not a valid host name or address'],
  ])("refuses %j with a TypeError saying what is wrong and how a valid one looks", (text, problem) => {
    let thrown: unknown;
    try {
      parseWebSocketUrl(text);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TypeError);
    const message = (thrown as TypeError).message;
    expect(message).toContain(`"${text}" is not a valid WebSocket URL: `);
    expect(message).toContain(problem);
    expect(message).toContain("e.g. ws://127.0.0.1:3001");
  });

  it("takes port 0 when the URL is for listening", () => {
    expect(parseWebSocketUrl("ws://127.0.0.1:0", "listen").port).toBe("0");
    expect(() => parseWebSocketUrl("ws://127.0.0.1:65536", "listen")).toThrow(/out of range/);
  });
});
