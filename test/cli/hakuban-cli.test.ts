/**
 * The `hakuban` bin as a child process against a listener in the test's process: what it prints on
 * stdout and stderr, what it publishes from stdin, and its exit codes. The commands' behaviours are
 * pinned in-process (cli-commands.test.ts); here, that the entry wires them to the process.
 */
import { afterEach, describe, expect, it } from "vitest";
import { CLI_USAGE } from "../../lib/cli/cli-options.js";
import { LocalNode, connect, listen, type Listener } from "../../lib/node-entry.js";
import { first, ScriptProcess, status } from "../e2e/helpers.js";

const processes: ScriptProcess[] = [];
const nodes: LocalNode[] = [];
function router(...args: string[]): ScriptProcess {
  const started = new ScriptProcess("lib/router/router-cli.ts", args);
  processes.push(started);
  return started;
}
async function listeningUrl(process: ScriptProcess): Promise<string> {
  const line = await process.waitFor(/listening on ws:\/\//);
  return line.match(/listening on (ws:\/\/\S+)/)![1]!;
}
/** The frames `hakuban top` printed so far, each from its heading line on. */
function framesOf(top: ScriptProcess): string[] {
  return top.lines.join("\n").split(/^(?=hakuban top )/m).filter((frame) => frame.startsWith("hakuban top "));
}
function hakuban(args: readonly string[], options: { readonly stdin?: "pipe" } = {}): ScriptProcess {
  const started = new ScriptProcess("lib/cli/hakuban-cli.ts", args, options);
  processes.push(started);
  return started;
}

afterEach(async () => {
  await Promise.all(processes.splice(0).map((each) => each.kill()));
  await Promise.all(nodes.splice(0).map((each) => each.close()));
});

async function root(options: Omit<Parameters<typeof listen>[1], "port"> = {}): Promise<{ node: LocalNode; listener: Listener }> {
  const node = new LocalNode({ name: "root" });
  nodes.push(node);
  return { node, listener: await listen(node, { host: "127.0.0.1", port: 0, ...options }) };
}

// Each process compiles TypeScript as it starts: on a loaded machine that alone takes seconds.
describe("the hakuban bin", { timeout: 60_000 }, () => {
  it("on bad arguments says what is wrong with the usage on stderr, and exits 2", async () => {
    const bad = hakuban(["observe", "ws://127.0.0.1:3001"]);
    expect(await bad.exited).toBe(2);
    expect(`${bad.stderr.join("\n")}\n`).toBe(`hakuban: hakuban observe needs --tag TAG or --object '{"tags":[...],"json":...}': what to observe.\n\n${CLI_USAGE}`);
    expect(bad.lines).toEqual([]);
  });

  it("observe prints an exposer's states as JSON lines, and exits 0 when its reader goes away (as with | head)", async () => {
    const { node, listener } = await root();
    const exposer = node.object(["sensors"], { id: 1 }).expose<{ celsius: number }>();
    exposer.set({ celsius: 20 });
    const observe = hakuban(["observe", listener.url, "--tag", "sensors"]);
    await observe.waitFor(/"celsius":20/);
    exposer.set({ celsius: 21 });
    await observe.waitFor(/"celsius":21/);
    expect(observe.lines.map((line) => JSON.parse(line) as unknown)).toEqual([
      { descriptor: { tags: ["sensors"], json: { id: 1 } }, version: expect.any(Array), synchronized: true, data: { celsius: 20 } },
      { descriptor: { tags: ["sensors"], json: { id: 1 } }, version: expect.any(Array), synchronized: true, data: { celsius: 21 } },
    ]);
    observe.child.stdout!.destroy();
    exposer.set({ celsius: 22 });
    expect(await observe.exited).toBe(0);
    expect(observe.stderr.join("\n")).toMatch(/: connected\n(.|\n)*: closed$/);
  });

  it("expose publishes stdin's JSON lines to an observer, names a line that is not JSON, and exits 0 on SIGTERM", async () => {
    const { node, listener } = await root();
    const observer = node.object(["t"], "piped").observe<{ n: number }>();
    const expose = hakuban(["expose", listener.url, "--object", '{"tags":["t"],"json":"piped"}'], { stdin: "pipe" });
    expose.child.stdin!.write('{"n":1}\n');
    await first(observer.state$, (state) => state?.data.n === 1);
    expose.child.stdin!.write('oops\n{"n":2}\n');
    await first(observer.state$, (state) => state?.data.n === 2);
    expose.child.kill("SIGTERM");
    expect(await expose.exited).toBe(0);
    expect(expose.stderr.join("\n")).toMatch(/hakuban: stdin line 2 is not JSON \(.*\); skipped\n(.|\n)*SIGTERM: leaving/);
    expect(expose.lines).toEqual([]);
  });

  it("top against a router finds its monitor tag itself, shows every node of its tree, and exits 0 on SIGINT", async () => {
    const rootUrl = await listeningUrl(router("--bind", "ws://127.0.0.1:0", "--name", "root", "--monitor-tag", '{"monitor":"eu"}'));
    // A node under the root publishing its own monitor object under the tag, as a child router does.
    const edge = new LocalNode({ name: "edge", monitorTag: { monitor: "eu" } });
    nodes.push(edge);
    await status(connect(edge, rootUrl), "connected");
    const top = hakuban(["top", rootUrl, "--name", "terminal", "--sort", "rtt"]);
    // One plain frame a second (stdout is a pipe): wait for a whole one (the next has begun) that shows both nodes.
    const both = (frame: string): boolean => /^edge \[/m.test(frame) && /^root \[.*links 2 /m.test(frame);
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (!framesOf(top).slice(0, -1).some(both)) return;
        top.child.stdout!.off("data", check);
        resolve();
      };
      top.child.stdout!.on("data", check);
    });
    top.child.kill("SIGINT");
    expect(await top.exited).toBe(0);
    const last = framesOf(top).filter(both).at(-1)!;
    expect(last).toMatch(/^hakuban top  ws:\/\/127\.0\.0\.1:\d+  tag \{"monitor":"eu"\}  2 nodes  links by rtt/);
    expect(last).toMatch(/^edge \[\w+\]  up \d+s  links 0 (.|\n)*upstream: ws:\/\/127\.0\.0\.1:\d+\/? connected to "root"/m);
    expect(last).toMatch(/^root \[\w+\]  up \d+s  links 2 /m);
    expect(last).toMatch(/^ {4}#\d+ +edge +- +ws:\/\/127\.0\.0\.1:\d+ /m);
    expect(last).toMatch(/^ {4}#\d+ +terminal +- +ws:\/\/127\.0\.0\.1:\d+ /m);
    expect(top.stderr.join("\n")).not.toMatch(/could not ask/);
  });
});
