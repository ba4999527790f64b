import { beforeEach, describe, expect, it } from "vitest";
import { type LocalNode, connect } from "../../lib/node-entry.js";
import { type Router, startRouter } from "../../lib/router/router.js";
import { parseRouterArgs } from "../../lib/router/router-options.js";
import { RedisServer } from "../cluster/redis-server.js";
import { cleanupAfterEach } from "../test-cleanup.js";
import { first, status } from "./helpers.js";

const { defer, node } = cleanupAfterEach();
let redis: RedisServer;

beforeEach(async () => {
  redis = await RedisServer.start();
  defer(() => redis.stop());
});

/** A router started from these command-line arguments, closed once the test ends. */
async function runRouter(args: readonly string[]): Promise<Router> {
  const command = parseRouterArgs(args);
  if (command.kind !== "run") throw new Error("not a run");
  const started = await startRouter(command.options, () => {});
  defer(() => started.close());
  return started;
}

/** `count` root routers joined to the test's Redis with `--cluster`. */
async function cluster(count: number): Promise<Router[]> {
  const made: Router[] = [];
  for (let i = 0; i < count; i++) {
    made.push(await runRouter(["--bind", "ws://127.0.0.1:0", "--name", `root${i}`, "--cluster", `${redis.url}`, "--cluster-lease", "600"]));
  }
  return made;
}

/** A client node linked to `router`. */
async function client(name: string, router: Router): Promise<LocalNode> {
  const made = node(name);
  await status(connect(made, router.listener.url), "connected");
  return made;
}

describe("root routers in a cluster (--cluster)", () => {
  it("carry an object from an exposer under one root to observers under the other, with one exposer cluster-wide", async () => {
    const [one, two] = await cluster(2);
    const exposerOne = (await client("exposer-one", one!)).object(["c"], "x").expose<string>();
    const exposerTwo = (await client("exposer-two", two!)).object(["c"], "x").expose<string>();
    exposerOne.set("one");
    exposerTwo.set("two");
    const observer = (await client("observer", two!)).object(["c"], "x").observe<string>();
    const state = await first(observer.state$, (s) => s?.synchronized === true);
    await first(exposerOne.assigned$, () => Number(exposerOne.assigned) + Number(exposerTwo.assigned) === 1);
    expect(state?.data).toBe(exposerOne.assigned ? "one" : "two");
  });

  it("go on as roots of their own subtrees while Redis is down, and converge on the newest state when it is back", async () => {
    const [one, two] = await cluster(2);
    const exposer = (await client("exposer", one!)).object(["c"], "x").expose<number>();
    exposer.set(1);
    const observer = (await client("observer", two!)).object(["c"], "x").observe<number>();
    await first(observer.state$, (s) => s?.data === 1 && s.synchronized);
    const seen: Array<number | undefined> = [];
    observer.onChange((s) => seen.push(s?.data));
    await redis.kill();
    await first(observer.state$, (s) => s?.synchronized === false);
    exposer.set(2);
    await redis.restart();
    await first(observer.state$, (s) => s?.data === 2 && s.synchronized);
    expect(seen).not.toContain(undefined);
    expect(seen).toEqual([...seen].sort((a, b) => (a ?? 0) - (b ?? 0)));
  });

  it("have a child router given both roots (--connect twice) relink to the other when its root closes", async () => {
    const [one, two] = await cluster(2);
    const edge = await runRouter(["--bind", "ws://127.0.0.1:0", "--name", "edge", "--connect", one!.listener.url, "--connect", two!.listener.url]);
    const exposer = (await client("exposer", two!)).object(["c"], "x").expose<number>();
    exposer.set(1);
    const observer = (await client("observer", edge)).object(["c"], "x").observe<number>();
    await first(observer.state$, (s) => s?.data === 1 && s.synchronized);
    await one!.close();
    await first(edge.upstream!.status$, (status) => status === "connected" && edge.upstream!.url === two!.listener.url);
    exposer.set(2);
    await first(observer.state$, (s) => s?.data === 2 && s.synchronized);
  });
});
