import { expect, it } from "vitest";
import { connect, listen } from "../../lib/node-entry.js";
import { cleanupAfterEach } from "../test-cleanup.js";
import { first, status } from "./helpers.js";

const { node } = cleanupAfterEach();

it("exposer and observer on two nodes through a router", async () => {
  const router = node("router");
  const { url } = await listen(router, { port: 0 });
  const a = node("a");
  const b = node("b");
  await status(connect(a, url), "connected");
  await status(connect(b, url), "connected");

  const exposer = a.object(["pair"], { n: 1 }).expose<string>();
  const assigned: boolean[] = [];
  exposer.onAssigned((value) => assigned.push(value));
  const observer = b.object(["pair"], { n: 1 }).observe<string>();
  exposer.set("one");
  expect((await first(observer.state$, (s) => s?.data === "one" && s.synchronized))?.data).toBe("one");
  exposer.set("two");
  expect((await first(observer.state$, (s) => s?.data === "two"))?.synchronized).toBe(true);
  expect(assigned).toEqual([true]);

  // The exposer's node goes away: the observer keeps the last data, no longer synchronized.
  await a.close();
  const stale = await first(observer.state$, (s) => s?.synchronized === false);
  expect(stale?.data).toBe("two");
});

it("a three-level tree: an observer under the mid router follows an exposer under the root, with failover", async () => {
  const root = node("root");
  const rootUrl = (await listen(root, { port: 0 })).url;
  const mid = node("mid");
  await status(connect(mid, rootUrl), "connected");
  const midUrl = (await listen(mid, { port: 0 })).url;
  const leafA = node("leaf-a");
  const leafB = node("leaf-b");
  const leafC = node("leaf-c");
  await status(connect(leafA, rootUrl), "connected");
  await status(connect(leafB, midUrl), "connected");
  await status(connect(leafC, midUrl), "connected");

  const observer = leafB.object(["deep"], "x").observe<string>();
  const fromA = leafA.object(["deep"], "x").expose<string>({ capacity: 5 });
  fromA.set("from a");
  await first(observer.state$, (s) => s?.data === "from a" && s.synchronized);

  // A second candidate deeper in the tree, then the first one goes: the object fails over to it.
  const fromC = leafC.object(["deep"], "x").expose<string>();
  fromC.set("from c");
  fromA.terminate();
  const taken = await first(observer.state$, (s) => s?.data === "from c" && s.synchronized);
  expect(taken?.data).toBe("from c");
  expect(fromC.assigned).toBe(true);
});

it("clients redial a router that comes back on the same port, and data flows again", async () => {
  const router = node("router");
  const server = await listen(router, { port: 0 });
  const redial = { initialDelayMs: 20, maxDelayMs: 100 };
  const exposerNode = node("exposer");
  const observerNode = node("observer");
  const exposerUp = connect(exposerNode, server.url, redial);
  const observerUp = connect(observerNode, server.url, redial);
  await status(exposerUp, "connected");
  await status(observerUp, "connected");
  const exposer = exposerNode.object(["restart"], null).expose<number>();
  exposer.set(1);
  const observer = observerNode.object(["restart"], null).observe<number>();
  await first(observer.state$, (s) => s?.data === 1 && s.synchronized);

  // The router's listener goes away (saying goodbye): both clients lose their parent, the observer keeps the last data.
  const statuses: string[] = [];
  observerUp.onStatus((s) => statuses.push(s));
  await server.close();
  expect((await first(observer.state$, (s) => s?.synchronized === false))?.data).toBe(1);

  // It comes back on the same port: both redial on their own, and updates flow again.
  await listen(router, { port: server.port });
  await status(observerUp, "connected");
  await status(exposerUp, "connected");
  exposer.set(2);
  expect((await first(observer.state$, (s) => s?.data === 2 && s.synchronized))?.data).toBe(2);
  expect(statuses[0]).toBe("disconnected");
  expect(statuses).toContain("connecting");
  expect(statuses.at(-1)).toBe("connected");
});
