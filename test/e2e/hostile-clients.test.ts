import fc from "fast-check";
import { afterEach, expect, it } from "vitest";
import { WebSocket } from "ws";
import { LocalNode, connect, listen } from "../../lib/node-entry.js";
import { first, status } from "./helpers.js";

const nodes: LocalNode[] = [];
const timers: ReturnType<typeof setInterval>[] = [];
afterEach(async () => {
  for (const timer of timers.splice(0)) clearInterval(timer);
  await Promise.all(nodes.splice(0).map((node) => node.close()));
});

/** Opens a raw WebSocket to `url`, lets `misbehave` use it, and resolves with the close code once the server drops it. */
function rawClient(url: string, misbehave: (socket: WebSocket) => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.on("open", () => misbehave(socket));
    socket.on("error", () => {});
    socket.on("close", (code) => resolve(code));
    setTimeout(() => reject(new Error("the server did not drop the misbehaving client")), 5_000).unref();
  });
}

it("drops clients that send garbage or text, while the other clients keep receiving updates", async () => {
  const lines: string[] = [];
  const router = new LocalNode({ name: "router" });
  nodes.push(router);
  const options = { keepAliveMs: 200 };
  const listener = await listen(router, { port: 0, ...options, log: (line) => lines.push(line) });

  const exposerNode = new LocalNode({ name: "exposer" });
  const observerNode = new LocalNode({ name: "observer" });
  nodes.push(exposerNode, observerNode);
  await status(connect(exposerNode, listener.url, options), "connected");
  await status(connect(observerNode, listener.url, options), "connected");
  const exposer = exposerNode.object(["ticks"], null).expose<number>();
  let tick = 0;
  timers.push(setInterval(() => exposer.set(++tick), 10));
  const observer = observerNode.object(["ticks"], null).observe<number>();
  await first(observer.state$, (state) => state?.synchronized === true);

  // Random bytes (a fixed seed, so a failure replays), a text frame, and silence after a valid-looking start.
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 256 }), async (bytes) => {
      await rawClient(listener.url, (socket) => socket.send(bytes));
    }),
    { numRuns: 12, seed: 20240601 },
  );
  expect(await rawClient(listener.url, (socket) => socket.send("hello, hakuban?"))).toBe(4000);
  await rawClient(listener.url, () => {});

  // The real clients never noticed: the observer still gets fresh updates through the same router.
  const before = observer.data ?? 0;
  const after = await first(observer.state$, (state) => state !== undefined && state.data > before + 3 && state.synchronized);
  expect(after?.synchronized).toBe(true);
  expect(listener.links).toBe(2);
  const dropped = lines.filter((line) => / disconnected: /.test(line));
  expect(dropped.length).toBeGreaterThanOrEqual(14);
  expect(lines.join("\n")).toMatch(/disconnected: .*text frame/);
  expect(lines.join("\n")).toMatch(/disconnected: .*no Hello within 600 ms/);
});
