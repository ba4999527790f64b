/**
 * The `hakuban` bin as a child process against a listener in the test's process: what it prints on
 * stdout and stderr, what it publishes from stdin, and its exit codes. The commands' behaviours are
 * pinned in-process (cli-commands.test.ts); here, that the entry wires them to the process.
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { CLI_USAGE } from "../../lib/cli/cli-options.js";
import { LocalNode, listen, type Listener } from "../../lib/node-entry.js";
import { first, ScriptProcess } from "../e2e/helpers.js";

const processes: ScriptProcess[] = [];
const nodes: LocalNode[] = [];
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

const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };

// Each process compiles TypeScript as it starts: on a loaded machine that alone takes seconds.
describe("the hakuban bin", { timeout: 60_000 }, () => {
  it("prints its version; on bad arguments says what is wrong with the usage on stderr and exits 2; an unreadable --token-file exits 1", async () => {
    const versionOf = hakuban(["--version"]);
    const bad = hakuban(["observe", "ws://127.0.0.1:3001"]);
    const noToken = hakuban(["observe", "ws://127.0.0.1:9", "--tag", "x", "--token-file", "no/such/token"]);

    expect(await versionOf.exited).toBe(0);
    expect(versionOf.lines).toEqual([`hakuban ${version}`]);
    expect(await bad.exited).toBe(2);
    expect(`${bad.stderr.join("\n")}\n`).toBe(`hakuban: hakuban observe needs --tag TAG or --object '{"tags":[...],"json":...}': what to observe.\n\n${CLI_USAGE}`);
    expect(bad.lines).toEqual([]);
    expect(await noToken.exited).toBe(1);
    expect(noToken.stderr).toEqual([expect.stringMatching(/^hakuban: --token-file no\/such\/token: cannot read the token \(ENOENT/)]);
  });

  it("observe prints an exposer's states as JSON lines, and exits 0 on SIGINT or when its reader goes away", async () => {
    const { node, listener } = await root();
    const exposer = node.object(["sensors"], { id: 1 }).expose<{ celsius: number }>();
    exposer.set({ celsius: 20 });
    const observe = hakuban(["observe", listener.url, "--tag", "sensors"]);
    await observe.waitFor(/"celsius":20/);
    exposer.set({ celsius: 21 });
    await observe.waitFor(/"celsius":21/);
    observe.child.kill("SIGINT");
    expect(await observe.exited).toBe(0);
    expect(observe.lines.map((line) => JSON.parse(line) as unknown)).toEqual([
      { descriptor: { tags: ["sensors"], json: { id: 1 } }, version: expect.any(Array), synchronized: true, data: { celsius: 20 } },
      { descriptor: { tags: ["sensors"], json: { id: 1 } }, version: expect.any(Array), synchronized: true, data: { celsius: 21 } },
    ]);
    expect(observe.stderr.join("\n")).toMatch(/: connected\n(.|\n)*SIGINT: leaving/);

    // A reader that goes away (as `| head -1` does) ends it as a signal does.
    const piped = hakuban(["observe", listener.url, "--tag", "sensors"]);
    await piped.waitFor(/"celsius":21/);
    piped.child.stdout!.destroy();
    exposer.set({ celsius: 22 });
    expect(await piped.exited).toBe(0);
    expect(piped.stderr.join("\n")).toMatch(/: closed$/);
  });

  it("expose publishes stdin's JSON lines to an observer, names a line that is not JSON, and with --exit-at-end exits 0 at the end of stdin", async () => {
    const { node, listener } = await root();
    const observer = node.object(["t"], "piped").observe<{ n: number }>();
    const expose = hakuban(["expose", listener.url, "--object", '{"tags":["t"],"json":"piped"}', "--exit-at-end"], { stdin: "pipe" });
    expose.child.stdin!.write('{"n":1}\n');
    await first(observer.state$, (state) => state?.data.n === 1);
    expose.child.stdin!.end('oops\n{"n":2}\n');
    await first(observer.state$, (state) => state?.data.n === 2);
    expect(await expose.exited).toBe(0);
    expect(expose.stderr.join("\n")).toMatch(/hakuban: stdin line 2 is not JSON \(.*\); skipped/);
    expect(expose.lines).toEqual([]);
  });

  it("top --once prints one frame showing the monitored node and its links, under the default tag when the parent cannot say its own", async () => {
    const { listener } = await root({ monitorTag: "hakuban-monitor" });
    const top = hakuban(["top", listener.url, "--once", "--name", "terminal"]);
    expect(await top.exited).toBe(0);
    const frame = top.lines.join("\n");
    expect(frame).toMatch(/^hakuban top  ws:\/\/127\.0\.0\.1:\d+  tag "hakuban-monitor"  1 node  links by name/);
    expect(frame).toMatch(/^root \[\w+\]  up \d+s  links 1 /m);
    expect(frame).toMatch(/^ {4}#\d+ +terminal +- +ws:\/\/127\.0\.0\.1:\d+ /m);
    // A listener that is not a router's cannot say its monitor tag: top takes the default.
    expect(top.stderr.join("\n")).toContain("inspector.json answered 426); observing the tag \"hakuban-monitor\"");
  });
});
