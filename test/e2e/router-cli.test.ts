import { afterEach, describe, expect, it } from "vitest";
import { LocalNode, connect } from "../../lib/node-entry.js";
import { ScriptProcess, first, status } from "./helpers.js";

const processes: ScriptProcess[] = [];
const nodes: LocalNode[] = [];
function router(...args: string[]): ScriptProcess {
  const started = new ScriptProcess("lib/router/router-cli.ts", args);
  processes.push(started);
  return started;
}
function node(name: string): LocalNode {
  const created = new LocalNode({ name });
  nodes.push(created);
  return created;
}

afterEach(async () => {
  await Promise.all(nodes.splice(0).map((each) => each.close()));
  await Promise.all(processes.splice(0).map((each) => each.kill()));
});

async function listeningUrl(process: ScriptProcess): Promise<string> {
  const line = await process.waitFor(/listening on ws:\/\//);
  return line.match(/listening on (ws:\/\/\S+)/)![1]!;
}

// Each router is a process compiling TypeScript as it starts: on a loaded machine that alone takes seconds.
describe("hakuban-router", { timeout: 60_000 }, () => {
  it("routes data between two clients, logs connection events, and exits 0 on SIGTERM", async () => {
    const cli = router("--bind", "ws://127.0.0.1:0", "--name", "test-router");
    const url = await listeningUrl(cli);

    const exposerNode = node("the-exposer");
    const observerNode = node("the-observer");
    await status(connect(exposerNode, url), "connected");
    await status(connect(observerNode, url), "connected");
    const exposer = exposerNode.object(["cli"], { id: 1 }).expose<{ n: number }>();
    exposer.set({ n: 42 });
    const observer = observerNode.object(["cli"], { id: 1 }).observe<{ n: number }>();
    const state = await first(observer.state$, (s) => s?.synchronized === true);
    expect(state?.data).toEqual({ n: 42 });

    await observerNode.close();
    await cli.waitFor(/the-observer.*closed/);
    cli.child.kill("SIGTERM");
    expect(await cli.exited).toBe(0);
    const log = cli.lines.join("\n");
    expect(log).toMatch(/info +test-router: listening on ws:\/\/127\.0\.0\.1:\d+/);
    expect(log).toMatch(/info +test-router: child "the-exposer" linked \(ws:\/\/127\.0\.0\.1:\d+\)/);
    expect(log).toMatch(/info +test-router: child "the-observer" \(ws:\/\/127\.0\.0\.1:\d+\) closed/);
    expect(log).toMatch(/SIGTERM: shutting down/);
    expect(log).toMatch(/stopped$/m);
    // At the default level, no debug detail (sockets accepted, traffic).
    expect(log).not.toMatch(/ debug |accepted|carried/);
    expect(cli.stderr.join("\n")).toBe("");
  });

  it("links to a parent router with --connect and logs the upstream's status", async () => {
    const parent = router("--bind", "ws://127.0.0.1:0", "--name", "root");
    const parentUrl = await listeningUrl(parent);
    const child = router("--bind", "ws://127.0.0.1:0", "--connect", parentUrl, "--name", "edge", "--log-level", "debug");
    const childUrl = await listeningUrl(child);
    await child.waitFor(/upstream .*: connected/);

    // An exposer under the root, an observer under the edge router.
    const exposerNode = node("exposer-at-root");
    await status(connect(exposerNode, parentUrl), "connected");
    const observerNode = node("observer-at-edge");
    await status(connect(observerNode, childUrl), "connected");
    exposerNode.object(["tree"], "x").expose<string>().set("through two routers");
    const state = await first(observerNode.object(["tree"], "x").observe<string>().state$, (s) => s?.synchronized === true);
    expect(state?.data).toBe("through two routers");

    parent.child.kill("SIGINT");
    expect(await parent.exited).toBe(0);
    await child.waitFor(/upstream .*: (disconnected|connecting)/);
    child.child.kill("SIGINT");
    expect(await child.exited).toBe(0);

    // --log-level debug adds the link events: the handshake, why the parent left, sockets, traffic.
    const debug = child.lines.join("\n");
    expect(debug).toMatch(/debug +edge: upstream root welcomed us/);
    expect(debug).toMatch(/debug +edge: upstream ws:\/\/127\.0\.0\.1:\d+: welcomed by "root"/);
    expect(debug).toMatch(/debug +edge: upstream is leaving: the parent's listener is closing/);
    expect(debug).toMatch(/debug +edge: accepted ws:\/\/127\.0\.0\.1:\d+/);
    expect(debug).toMatch(/debug +edge: child "observer-at-edge" \(ws:\/\/127\.0\.0\.1:\d+\): the connection carried \d+ messages \(.*\) in, \d+ messages \(.*\) out/);
    expect(debug).toMatch(/debug +edge: upstream ws:\/\/127\.0\.0\.1:\d+: the connection carried /);
    expect(parent.lines.join("\n")).not.toMatch(/ debug /);
  });
});
