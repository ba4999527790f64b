/** What the inspector page reads from /inspector.json, and the router URL it links to. */
import { describe, expect, it } from "vitest";
import { fetchInspectorConfig, readInspectorConfig, routerUrl } from "../../inspector/inspector-config.js";

describe("readInspectorConfig", () => {
  it("takes the monitor tag, the path and whether to ask for a token", () => {
    expect(readInspectorConfig({ monitorTag: { monitor: "eu" }, path: "/hakuban", authenticate: true })).toEqual({ monitorTag: { monitor: "eu" }, path: "/hakuban", authenticate: true });
    expect(readInspectorConfig({ monitorTag: null })).toEqual({ monitorTag: null, path: "/", authenticate: false });
  });

  it("refuses a body without a monitor tag, naming what serves the page", () => {
    for (const body of [null, [], "x", { path: "/" }]) {
      expect(() => readInspectorConfig(body)).toThrow(expect.objectContaining({ code: "INSPECTOR_CONFIG", message: expect.stringContaining("hakuban-router") }));
    }
  });

  it("reads a path that is not absolute as the root", () => {
    expect(readInspectorConfig({ monitorTag: "m", path: "ws://elsewhere" }).path).toBe("/");
  });
});

describe("fetchInspectorConfig", () => {
  it("fetches /inspector.json from the page's origin", async () => {
    const asked: string[] = [];
    const fetcher = (async (url: string) => {
      asked.push(url);
      return Response.json({ monitorTag: "monitor", path: "/", authenticate: false });
    }) as typeof fetch;
    expect(await fetchInspectorConfig(fetcher)).toEqual({ monitorTag: "monitor", path: "/", authenticate: false });
    expect(asked).toEqual(["/inspector.json"]);
  });

  it("says the router answered with an error status, or with something that is not JSON", async () => {
    await expect(fetchInspectorConfig((async () => new Response("no", { status: 404 })) as typeof fetch)).rejects.toThrow(/HTTP 404/);
    await expect(fetchInspectorConfig((async () => new Response("<html>")) as typeof fetch)).rejects.toThrow(/not JSON/);
    await expect(fetchInspectorConfig((async () => Promise.reject(new TypeError("failed"))) as typeof fetch)).rejects.toThrow(/Could not reach the router/);
  });
});

describe("routerUrl", () => {
  it("links over wss: from a page served over https:, ws: otherwise, to the page's own host", () => {
    const config = { monitorTag: "m", path: "/hakuban", authenticate: false };
    expect(routerUrl(config, { protocol: "https:", host: "routers.example.com" })).toBe("wss://routers.example.com/hakuban");
    expect(routerUrl(config, { protocol: "http:", host: "127.0.0.1:4000" })).toBe("ws://127.0.0.1:4000/hakuban");
  });
});
