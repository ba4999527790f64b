import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LocalNode, connect, type ObjectObserve } from "../../lib/node-entry.js";
import { RedisServer } from "../cluster/redis-server.js";
import { first, ScriptProcess, status } from "./helpers.js";

let redis: RedisServer;
const processes: ScriptProcess[] = [];
const nodes: LocalNode[] = [];

beforeEach(async () => {
  redis = await RedisServer.start();
});

afterEach(async () => {
  for (const each of processes) each.child.kill("SIGCONT");
  await Promise.all(nodes.splice(0).map((each) => each.close()));
  await Promise.all(processes.splice(0).map((each) => each.kill()));
  await redis.stop();
});

/** A root router process in the test's cluster, with a one-second lease; resolves with it and its URL. */
async function root(name: string): Promise<{ process: ScriptProcess; url: string }> {
  const process = new ScriptProcess("lib/router/router-cli.ts", ["--bind", "ws://127.0.0.1:0", "--name", name, "--cluster", redis.url, "--cluster-lease", "1000"]);
  processes.push(process);
  const line = await process.waitFor(/listening on ws:\/\//);
  await process.waitFor(/cluster: in touch with Redis/);
  return { process, url: line.match(/listening on (ws:\/\/\S+)/)![1]! };
}

/** A client node linked to the first of `parents` that answers, moving on to the next when it is lost. */
async function client(name: string, parents: readonly string[]): Promise<LocalNode> {
  const made = new LocalNode({ name });
  nodes.push(made);
  await status(connect(made, parents, { initialDelayMs: 5, maxDelayMs: 50 }), "connected");
  return made;
}

/** Every data value `observer` shows from now on. */
function history<T>(observer: ObjectObserve<T>): Array<T | undefined> {
  const seen: Array<T | undefined> = [];
  observer.onChange((state) => seen.push(state?.data as T | undefined));
  return seen;
}

// Router processes compile TypeScript as they start: on a loaded machine that alone takes seconds.
describe("a cluster of root router processes", { timeout: 60_000 }, () => {
  it("survives kill -9 of a root: its children relink, its leases move, observers keep their data and converge", async () => {
    const [one, two, three] = await Promise.all([root("one"), root("two"), root("three")]);
    const exposer = (await client("exposer", [one.url, three.url])).object(["c"], "x").expose<number>();
    exposer.set(1);
    const farObserver = (await client("far-observer", [two.url])).object(["c"], "x").observe<number>();
    const nearObserver = (await client("near-observer", [one.url, two.url])).object(["c"], "x").observe<number>();
    await first(farObserver.state$, (s) => s?.data === 1 && s.synchronized);
    await first(nearObserver.state$, (s) => s?.data === 1 && s.synchronized);
    const far = history(farObserver);
    const near = history(nearObserver);
    one.process.child.kill("SIGKILL");
    await first(farObserver.state$, (s) => s?.synchronized === false); // the lease expired: no exposer backs the data
    await first(exposer.assigned$, (assigned) => assigned); // relinked to root three, which took the lease over
    exposer.set(2);
    await first(farObserver.state$, (s) => s?.data === 2 && s.synchronized);
    await first(nearObserver.state$, (s) => s?.data === 2 && s.synchronized);
    expect(far).not.toContain(undefined);
    expect(near).not.toContain(undefined);
  });

  it("refuses the states of a former lease holder that was paused past its lease and resumed", async () => {
    const [one, two] = await Promise.all([root("one"), root("two")]);
    const exposerOne = (await client("exposer-one", [one.url])).object(["c"], "x").expose<string>();
    exposerOne.set("one");
    const observer = (await client("observer", [two.url])).object(["c"], "x").observe<string>();
    await first(observer.state$, (s) => s?.data === "one" && s.synchronized);
    const exposerTwo = (await client("exposer-two", [two.url])).object(["c"], "x").expose<string>();
    exposerTwo.set("two");
    expect(exposerTwo.assigned).toBe(false);
    const seen = history(observer);
    one.process.child.kill("SIGSTOP");
    await first(observer.state$, (s) => s?.data === "two" && s.synchronized);
    exposerOne.set("stale"); // root one is frozen: it still believes it holds the lease
    one.process.child.kill("SIGCONT");
    await first(exposerOne.assigned$, (assigned) => !assigned);
    exposerTwo.set("two again");
    await first(observer.state$, (s) => s?.data === "two again");
    expect(seen).not.toContain("stale");
    const lateObserver = (await client("late-observer", [one.url])).object(["c"], "x").observe<string>();
    await first(lateObserver.state$, (s) => s?.data === "two again" && s.synchronized);
  });
});
