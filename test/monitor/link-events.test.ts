/**
 * What a listener tells its node's monitor besides figures: the connections it turned away, the links'
 * denials and limits (whether or not an audit sink or a log is set), and the monitor tag and plain
 * HTTP requests `listen` takes.
 */
import { afterEach, expect, it, vi } from "vitest";
import WebSocket from "ws";
import { connect, listen, LocalNode } from "../../lib/node-entry.js";

const WAIT = { timeout: 15_000, interval: 10 } as const;

let open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const thing of open.reverse()) await thing.close();
  open = [];
});

/** A raw WebSocket to `url` that says nothing; resolves once it is open, or with the HTTP status it was refused with. */
function silentSocket(url: string): Promise<{ socket: WebSocket; refusedWith: number | undefined }> {
  const socket = new WebSocket(url);
  open.push({ close: () => socket.terminate() });
  return new Promise((resolve) => {
    socket.once("open", () => resolve({ socket, refusedWith: undefined }));
    socket.once("unexpected-response", (_request, response) => resolve({ socket, refusedWith: response.statusCode }));
    socket.once("error", () => {});
  });
}

it("connections the listener turns away are refusals: over maxConnections, and silent past helloTimeoutMs", async () => {
  const root = new LocalNode({ name: "root" });
  open.push(root);
  const listener = await listen(root, { port: 0, maxConnections: 1, helloTimeoutMs: 50 });
  const first = await silentSocket(listener.url);
  expect(first.refusedWith).toBeUndefined();
  const second = await silentSocket(listener.url);
  expect(second.refusedWith).toBe(503);
  await vi.waitFor(() => expect(root.snapshot().totals.refusals).toBe(2), WAIT);
  const refused = root.snapshot().events.filter((event) => event.kind === "refused");
  expect(refused.map((event) => event.text)).toEqual([
    expect.stringMatching(/^refused ws:\/\/127\.0\.0\.1:\d+: answered 503: .*maxConnections/),
    expect.stringMatching(/^dropped ws:\/\/127\.0\.0\.1:\d+: no Hello within 50 ms \(helloTimeoutMs\)$/),
  ]);
  expect(refused[0]!.link).toBeUndefined();
  expect(refused[1]!.link).toEqual(expect.any(Number));
  expect(root.snapshot().links).toEqual([]);
});

it("a link's policy denials and limits are events under its id, with no audit sink and no log", async () => {
  const root = new LocalNode({ name: "root" });
  const leaf = new LocalNode({ name: "leaf" });
  open.push(root, leaf);
  const listener = await listen(root, {
    port: 0,
    policy: { rules: [{ observe: [{ tag: "public" }] }] },
    linkLimits: { maxObjects: 2 },
  });
  const leafErrors: unknown[] = [];
  leaf.onError((error) => leafErrors.push(error));
  connect(leaf, listener.url);
  leaf.object(["secret"], 1).observe();
  await vi.waitFor(() => expect(root.snapshot().links).toEqual([expect.objectContaining({ name: "leaf" })]), WAIT);
  const linkId = root.snapshot().links[0]!.id;
  await vi.waitFor(() => expect(root.snapshot().totals.denials).toBe(1), WAIT);
  expect(root.snapshot().events.filter((event) => event.kind === "denied")).toEqual([
    expect.objectContaining({ link: linkId, descriptor: { tags: ["secret"], json: 1 }, text: expect.stringContaining("may not observe") }),
  ]);
  await vi.waitFor(() => expect(leafErrors).toHaveLength(1), WAIT);
  leaf.object(["public"], 2).observe();
  leaf.object(["public"], 3).observe();
  await vi.waitFor(() => expect(root.snapshot().events.filter((event) => event.kind === "limit")).toHaveLength(1), WAIT);
  expect(root.snapshot().events.find((event) => event.kind === "limit")).toMatchObject({
    link: linkId,
    text: expect.stringMatching(/^"leaf" \(ws:\/\/127\.0\.0\.1:\d+\) over maxObjects \(2\): refused the Open of/),
  });
});

it("listen publishes the node's monitor object under monitorTag, and refuses another tag than the node's before binding", async () => {
  const root = new LocalNode({ name: "root" });
  open.push(root);
  await listen(root, { port: 0, monitorTag: { monitor: "a" } });
  expect(root.monitor.tag?.json).toEqual({ monitor: "a" });
  await expect(listen(root, { port: 0, monitorTag: "b" })).rejects.toThrow(
    new RangeError('listen option monitorTag #"b": node "root" already publishes its monitor object under #{"monitor":"a"}; a node has one monitor tag, give the same one or none'),
  );
  await expect(listen(root, { port: 0, monitorIntervalMs: 0 })).rejects.toThrow(RangeError);
  expect(root.monitor.intervalMs).toBe(1000);
  await listen(root, { port: 0, monitorTag: { monitor: "a" }, monitorIntervalMs: 250 });
  expect(root.monitor.intervalMs).toBe(250);
  const observer = root.tag({ monitor: "a" }).observe();
  await vi.waitFor(() => expect([...observer.objects.values()].map(({ state }) => (state?.data as { node?: string } | undefined)?.node)).toEqual(["root"]), WAIT);
});

it("plain HTTP requests on the listener's port go to onHttpRequest, else are answered 426", async () => {
  const root = new LocalNode({ name: "root" });
  open.push(root);
  const served = await listen(root, {
    port: 0,
    onHttpRequest: (request, response) => response.writeHead(200, { "content-type": "text/plain" }).end(`you asked for ${request.url}`),
  });
  const plain = await listen(root, { port: 0 });
  const httpOf = (url: string) => url.replace(/^ws:/, "http:");
  const answer = await fetch(`${httpOf(served.url)}/healthz`);
  expect([answer.status, await answer.text()]).toEqual([200, "you asked for /healthz"]);
  expect((await fetch(`${httpOf(plain.url)}/healthz`)).status).toBe(426);
});

it("a link closed for going over its limits is a limit event, then unlinked with the reason", async () => {
  const root = new LocalNode({ name: "root" });
  const leaf = new LocalNode({ name: "leaf" });
  open.push(root, leaf);
  // A burst of 11 opens, then one a second: a second round of 10 opens right after the first is too fast.
  const listener = await listen(root, { port: 0, linkLimits: { maxObjects: 10, maxTags: 1, opensPerSecond: 1 } });
  connect(leaf, listener.url, { reconnect: false });
  const observed = () => root.snapshot().links[0]?.observed;
  const round = () => Array.from({ length: 10 }, (_, i) => leaf.object([], i).observe());
  const first = round();
  await vi.waitFor(() => expect(observed()).toBe(10), WAIT);
  for (const observer of first) observer.terminate();
  await vi.waitFor(() => expect(observed()).toBe(0), WAIT);
  round();
  await vi.waitFor(() => expect(root.snapshot().links).toEqual([]), WAIT);
  const events = root.snapshot().events.filter((event) => event.kind === "limit" || event.kind === "unlinked");
  expect(events.map((event) => [event.kind, event.text])).toEqual([
    ["limit", expect.stringMatching(/^"leaf" \(ws:\/\/127\.0\.0\.1:\d+\) closed: .*over opensPerSecond \(1\); the link is closed/)],
    ["unlinked", expect.stringMatching(/^child "leaf" \(ws:\/\/127\.0\.0\.1:\d+\) disconnected: .*over opensPerSecond \(1\)/)],
  ]);
  expect(new Set(events.map((event) => event.link)).size).toBe(1);
});
