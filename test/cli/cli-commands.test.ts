/**
 * The client's commands run in-process against a real listener on 127.0.0.1, with their stdin, stdout,
 * stderr and signal in hand: what they print, what they publish, and the exit code each ending gives.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { CliFileError } from "../../lib/cli/cli-file-error.js";
import type { CliIo } from "../../lib/cli/cli-io.js";
import { type CliCommand, type CliLinkOptions, parseCliArgs } from "../../lib/cli/cli-options.js";
import { runExpose } from "../../lib/cli/expose-command.js";
import { runObserve } from "../../lib/cli/observe-command.js";
import { runCommand } from "../../lib/cli/run-command.js";
import { runTop } from "../../lib/cli/top-command.js";
import { LocalNode, listen, type Listener } from "../../lib/node-entry.js";
import { first } from "../e2e/helpers.js";

/** A command's stdin, stdout, stderr and signal, in a test's hands. */
class TestIo implements CliIo {
  readonly output: string[] = [];
  readonly errors: string[] = [];
  readonly terminal: boolean;
  readonly columns?: number;
  readonly #stop = new AbortController();
  readonly signal = this.#stop.signal;
  readonly #input: string[] = [];
  #ended = false;
  #wake: (() => void) | undefined;
  readonly #waiters = new Set<() => void>();

  /** A terminal `columns` wide, or (by default) a pipe. */
  constructor(columns?: number) {
    this.terminal = columns !== undefined;
    if (columns !== undefined) this.columns = columns;
  }

  readonly out = (text: string): void => this.#write(this.output, text);
  readonly err = (text: string): void => this.#write(this.errors, text);

  readonly lines = (): AsyncIterable<string> => {
    const io = this;
    return {
      async *[Symbol.asyncIterator]() {
        for (;;) {
          const line = io.#input.shift();
          if (line !== undefined) yield line;
          else if (io.#ended) return;
          else await new Promise<void>((resolve) => (io.#wake = resolve));
        }
      },
    };
  };

  /** Feeds stdin lines. */
  type(...lines: string[]): void {
    this.#input.push(...lines);
    this.#wake?.();
  }

  /** Ends stdin. */
  endInput(): void {
    this.#ended = true;
    this.#wake?.();
  }

  /** What SIGINT does. */
  interrupt(): void {
    this.#stop.abort();
  }

  /** Resolves once `predicate` holds for what was written so far. */
  until(predicate: () => boolean): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve) => {
      const check = (): void => {
        if (!predicate()) return;
        this.#waiters.delete(check);
        resolve();
      };
      this.#waiters.add(check);
    });
  }

  /** stdout's JSON lines. */
  get json(): unknown[] {
    return this.output.join("").split("\n").filter((line) => line !== "").map((line) => JSON.parse(line) as unknown);
  }

  #write(into: string[], text: string): void {
    into.push(text);
    for (const check of [...this.#waiters]) check();
  }
}

const nodes: LocalNode[] = [];
const folders: string[] = [];
const servers: Server[] = [];
function node(name: string, options: ConstructorParameters<typeof LocalNode>[0] = {}): LocalNode {
  const made = new LocalNode({ name, ...options });
  nodes.push(made);
  return made;
}

afterEach(async () => {
  await Promise.all(nodes.splice(0).map((each) => each.close()));
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/**
 * A parent whose port answers `GET /inspector.json` with `config`, as a router's does (other paths
 * 404), linked nodes served by `node` with the monitor tag `monitorTag`.
 */
async function routerLike(config: unknown, monitorTag?: string | { readonly [key: string]: string }): Promise<{ node: LocalNode; listener: Listener; asked: string[] }> {
  const asked: string[] = [];
  const server = createServer((request, response) => {
    asked.push(`${request.method} ${request.url}`);
    if (request.url === "/inspector.json") response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(config));
    else response.writeHead(404).end();
  });
  servers.push(server);
  server.listen(0, "127.0.0.1");
  const made = node("router-like");
  const listener = await listen(made, { server, ...(monitorTag === undefined ? {} : { monitorTag }) });
  return { node: made, listener, asked };
}

async function root(options: Parameters<typeof listen>[1] = { port: 0 }): Promise<{ node: LocalNode; listener: Listener }> {
  const made = node("root");
  const listener = await listen(made, { host: "127.0.0.1", ...options });
  return { node: made, listener };
}

function command<K extends CliCommand["kind"]>(kind: K, ...argv: string[]): Extract<CliCommand, { kind: K }> {
  const parsed = parseCliArgs(argv);
  if (parsed.kind !== kind) throw new Error(`parsed as ${parsed.kind}`);
  return parsed as Extract<CliCommand, { kind: K }>;
}

/** A URL where nothing listens: a listener's, once it closed. */
async function deadUrl(): Promise<string> {
  const listener = await listen(node("gone"), { host: "127.0.0.1", port: 0 });
  await listener.close();
  return listener.url;
}

describe("hakuban observe", () => {
  it("prints the states of a tag's objects as JSON lines, objects leaving too, and exits 0 on a signal", async () => {
    const { node: parent, listener } = await root();
    const io = new TestIo();
    const running = runObserve(command("observe", "observe", listener.url, "--tag", "sensors"), io);
    const sensor = parent.object(["sensors"], { id: 1 }).expose<{ celsius: number }>();
    sensor.set({ celsius: 21.5 });
    await io.until(() => io.json.length === 1);
    expect(io.json[0]).toEqual({ descriptor: { tags: ["sensors"], json: { id: 1 } }, version: expect.any(Array), synchronized: true, data: { celsius: 21.5 } });
    sensor.set({ celsius: 22 });
    const other = parent.object(["sensors"], { id: 2 }).expose<string>();
    other.set("hi");
    await io.until(() => io.json.length === 3);
    expect(io.json).toContainEqual({ descriptor: { tags: ["sensors"], json: { id: 1 } }, version: expect.any(Array), synchronized: true, data: { celsius: 22 } });
    expect(io.json).toContainEqual({ descriptor: { tags: ["sensors"], json: { id: 2 } }, version: expect.any(Array), synchronized: true, data: "hi" });

    other.terminate();
    await io.until(() => io.json.some((line) => (line as { removed?: boolean }).removed === true));
    expect(io.json.at(-1)).toEqual({ descriptor: { tags: ["sensors"], json: { id: 2 } }, removed: true });

    io.interrupt();
    expect(await running).toBe(0);
    expect(io.errors.join("")).toMatch(/^hakuban: upstream ws:\/\/127\.0\.0\.1:\d+: connecting\nhakuban: upstream .*: connected\n(.|\n)*: closed\n$/);
  });

  it("prints an object's states, says when it is not synchronized, and prints nothing before its first state", async () => {
    const { node: parent, listener } = await root();
    const io = new TestIo();
    const running = runObserve(command("observe", "observe", listener.url, "--object", '{"tags":[],"json":"door"}'), io);
    const observer = parent.object([], "door").observe();
    await first(observer.state$, () => parent.stats().objects === 1);
    const exposer = parent.object([], "door").expose<string>();
    exposer.set("open", { version: [1] });
    await io.until(() => io.json.length === 1);
    exposer.desynchronize();
    await io.until(() => io.json.length === 2);
    expect(io.json).toEqual([
      { descriptor: { tags: [], json: "door" }, version: [1], synchronized: true, data: "open" },
      { descriptor: { tags: [], json: "door" }, version: [1], synchronized: false, data: "open" },
    ]);
    io.interrupt();
    expect(await running).toBe(0);
  });
});

describe("a parent's policy", () => {
  it("is said on stderr when it denies a command's access, and when it grants it again", async () => {
    const { listener } = await root({ port: 0, policy: { rules: [{ observe: [{ tag: "public" }] }] } });
    const consoleError = vi.spyOn(console, "error");
    const io = new TestIo();
    const running = runObserve(command("observe", "observe", listener.url, "--tag", "secret"), io);
    await io.until(() => io.errors.some((line) => line.includes("denied")));
    listener.setPolicy({ rules: [{ observe: [{ tag: "secret" }] }] });
    await io.until(() => io.errors.some((line) => line.includes("granted again")));
    io.interrupt();
    expect(await running).toBe(0);
    const said = io.errors.filter((line) => !line.includes("upstream"));
    expect(said).toEqual([expect.stringMatching(/^hakuban: .*denied.*\n$/), 'hakuban: access to the tag "secret" granted again\n']);
    // Said once, by the command, not by the node's default error report too.
    expect(consoleError).not.toHaveBeenCalled();
    consoleError.mockRestore();
  });
});

describe("the node's error reports", () => {
  it("go to stderr as one line, without the default console report", async () => {
    const { node: parent, listener } = await root();
    const consoleError = vi.spyOn(console, "error");
    const io = new TestIo();
    const out = io.out;
    let failed = false;
    const failing: CliIo = Object.assign(Object.create(io) as TestIo, {
      out: (text: string) => {
        if (!failed) {
          failed = true;
          throw new Error("stdout broke");
        }
        out(text);
      },
    });
    const running = runObserve(command("observe", "observe", listener.url, "--tag", "t"), failing);
    parent.object(["t"], 1).expose<number>().set(1);
    await io.until(() => io.errors.some((line) => line.includes("stdout broke")));
    io.interrupt();
    expect(await running).toBe(0);
    expect(io.errors.filter((line) => line.includes("stdout broke"))).toEqual([expect.stringMatching(/^hakuban: .*: stdout broke\n$/)]);
    expect(consoleError).not.toHaveBeenCalled();
    consoleError.mockRestore();
  });
});

describe("hakuban expose", () => {
  it("publishes each JSON line of stdin, says which lines it skipped, and keeps the last state exposed after the end of stdin", async () => {
    const { node: parent, listener } = await root();
    const io = new TestIo();
    const running = runExpose(command("expose", "expose", listener.url, "--object", '{"tags":["t"],"json":1}'), io);
    const observer = parent.object(["t"], 1).observe<{ n: number }>();
    io.type('{"n":1}', "not json", "", '{"n":2}');
    await first(observer.state$, (state) => state?.data.n === 2);
    expect(io.errors.join("")).toMatch(/hakuban: stdin line 2 is not JSON \(.*\); skipped\n/);
    expect(io.errors.join("")).not.toMatch(/line 3/);
    io.type(`[${"[".repeat(70)}${"]".repeat(70)}]`, '{"n":3}');
    io.endInput();
    await first(observer.state$, (state) => state?.data.n === 3);
    expect(io.errors.join("")).toMatch(/hakuban: stdin line 5 cannot be the object's state \(Not JSON at .*\); skipped\n/);
    expect(observer.state?.synchronized).toBe(true);

    io.interrupt();
    expect(await running).toBe(0);
    await first(observer.state$, (state) => state?.synchronized === false);
  });

  it("with --exit-at-end exits 0 once the last state was published to an observer", async () => {
    const { node: parent, listener } = await root();
    const io = new TestIo();
    io.type('"first"', '"last"');
    io.endInput();
    const running = runExpose(command("expose", "expose", listener.url, "--object", '{"tags":[],"json":"e"}', "--exit-at-end"), io);
    const observer = parent.object([], "e").observe<string>();
    const seen = first(observer.state$, (state) => state?.data === "last");
    expect(await running).toBe(0);
    await seen;
  });

  it("with --exit-at-end exits 0 at the end of stdin when its last state is published already", async () => {
    const { node: parent, listener } = await root();
    const io = new TestIo();
    const running = runExpose(command("expose", "expose", listener.url, "--object", '{"tags":[],"json":"e"}', "--exit-at-end"), io);
    const observer = parent.object([], "e").observe<number>();
    io.type("1");
    await first(observer.state$, (state) => state?.data === 1);
    io.endInput();
    expect(await running).toBe(0);
  });

  it("with --exit-at-end exits 0 at once when stdin had no state", async () => {
    const { listener } = await root();
    const io = new TestIo();
    io.endInput();
    expect(await runExpose(command("expose", "expose", listener.url, "--object", '{"tags":[],"json":"e"}', "--exit-at-end"), io)).toBe(0);
  });
});

describe("the link to the parent", () => {
  const refusing = { port: 0, authenticate: ({ token }: { token: string | undefined }) => {
    if (token !== "good") throw new Error(`token ${String(token)} is not good`);
    return { id: "someone" };
  } };

  it("exits 1 when the parent refuses the token, given or read from a file (at each dial), saying why", async () => {
    const { listener } = await root(refusing);
    const given = new TestIo();
    expect(await runObserve(command("observe", "observe", listener.url, "--tag", "x", "--token", "bad"), given)).toBe(1);
    expect(given.errors.join("")).toMatch(/refused by the parent: .*token bad is not good(.|\n)*hakuban: the parent node refused the link: .*token bad is not good\n$/);

    const folder = mkdtempSync(join(tmpdir(), "hakuban-cli-"));
    folders.push(folder);
    const file = join(folder, "token");
    writeFileSync(file, "stale\n");
    const fromFile = new TestIo();
    expect(await runObserve(command("observe", "observe", listener.url, "--tag", "x", "--token-file", file), fromFile)).toBe(1);
    expect(fromFile.errors.join("")).toMatch(/hakuban: the parent node refused the link: .*token stale is not good\n$/);

    writeFileSync(file, "good\n");
    const accepted = new TestIo();
    const running = runObserve(command("observe", "observe", listener.url, "--tag", "x", "--token-file", file), accepted);
    await accepted.until(() => accepted.errors.join("").includes(": connected\n"));
    accepted.interrupt();
    expect(await running).toBe(0);
  });

  it("throws CliFileError naming a --token-file that cannot be read, or is empty, which the command says with exit code 1", async () => {
    const folder = mkdtempSync(join(tmpdir(), "hakuban-cli-"));
    folders.push(folder);
    const missing = join(folder, "missing");
    await expect(runObserve(command("observe", "observe", "ws://127.0.0.1:9", "--tag", "x", "--token-file", missing), new TestIo())).rejects.toThrow(
      new CliFileError(`--token-file ${missing}: cannot read the token (ENOENT: no such file or directory, open '${missing}'); check the path and that you may read it.`),
    );
    const said = new TestIo();
    expect(await runCommand(command("observe", "observe", "ws://127.0.0.1:9", "--tag", "x", "--token-file", missing), said)).toBe(1);
    expect(said.errors).toEqual([`hakuban: --token-file ${missing}: cannot read the token (ENOENT: no such file or directory, open '${missing}'); check the path and that you may read it.\n`]);
    const empty = join(folder, "empty");
    writeFileSync(empty, "\n");
    await expect(runTop(command("top", "top", "ws://127.0.0.1:9", "--token-file", empty), new TestIo())).rejects.toThrow(/--token-file .*empty: the file is empty; put the token in it/);
  });

  it("with --no-retry exits 1 when the parent cannot be reached, or when the link is lost; without, it redials", async () => {
    const url = await deadUrl();
    const unreachable = new TestIo();
    expect(await runTop(command("top", "top", url, "--no-retry"), unreachable)).toBe(1);
    expect(unreachable.errors.join("")).toMatch(/hakuban: upstream ws:.*ECONNREFUSED(.|\n)*\nhakuban: .*ECONNREFUSED.*\n$/);

    const { listener } = await root();
    const lost = new TestIo();
    const running = runExpose(command("expose", "expose", listener.url, "--object", '{"tags":[],"json":1}', "--no-retry"), lost);
    await lost.until(() => lost.errors.join("").includes(": connected\n"));
    await listener.close();
    expect(await running).toBe(1);

    const retrying = new TestIo();
    const redialing = runObserve(command("observe", "observe", url, "--tag", "x"), retrying);
    await retrying.until(() => retrying.errors.join("").includes("retrying in"));
    retrying.interrupt();
    expect(await redialing).toBe(0);
  });
});

describe("hakuban top", () => {
  it("with --once prints one frame of the nodes publishing under the monitor tag, their links among them", async () => {
    const { node: parent, listener } = await root({ port: 0, monitorTag: "hakuban-monitor" });
    expect(parent.monitor.tag).toBeDefined();
    const io = new TestIo();
    const link: CliLinkOptions = { url: listener.url, name: "the-top", retry: true };
    expect(await runTop({ kind: "top", link, tag: parent.monitor.tag!, sort: "name", once: true }, io)).toBe(0);
    const frame = io.output.join("");
    expect(frame).toMatch(/^hakuban top  ws:\/\/127\.0\.0\.1:\d+  tag "hakuban-monitor"  1 node  links by name  \d\d:\d\d:\d\d\n/);
    expect(frame).toMatch(/^root \[\w+\]  up \d+s  links 1 /m);
    expect(frame).toMatch(/^ {4}#\d+ +the-top +- +ws:\/\/127\.0\.0\.1:\d+ /m);
    expect(frame.endsWith("\n\n")).toBe(true);
  });

  it("without --once draws a frame at once and each second, over the last on a terminal and cut to its width, and says once that a foreign object under the tag is not shown", async () => {
    const { node: parent, listener } = await root({ port: 0, monitorTag: "hakuban-monitor" });
    const intruder = parent.object(["hakuban-monitor"], "intruder").expose<string>();
    intruder.set("not a snapshot");
    const io = new TestIo(80);
    const running = runTop(command("top", "top", listener.url, "--sort", "out"), io);
    await io.until(() => io.errors.some((line) => line.includes("intruder")));
    intruder.set("still not a snapshot");
    const frames = io.output.length;
    // Frames are a second apart: the second state has long arrived by the second frame after it.
    await io.until(() => io.output.slice(frames).filter((frame) => /^root /m.test(frame)).length >= 2);
    io.interrupt();
    expect(await running).toBe(0);
    expect(io.output[0]).toMatch(/^\x1b\[H\x1b\[2Jhakuban top  ws:\/\/127\.0\.0\.1:\d+  tag "hakuban-monitor"  0 nodes/);
    for (const frame of io.output) {
      expect(frame.startsWith("\x1b[H\x1b[2J")).toBe(true);
      for (const line of frame.slice(7).trimEnd().split("\n")) expect(line.length).toBeLessThanOrEqual(80);
    }
    expect(io.output.at(-1)).toMatch(/links by out/);
    expect(io.errors.filter((line) => line.includes("intruder"))).toEqual([
      'hakuban: ["hakuban-monitor"] "intruder" carries the monitor tag but its state is not a node snapshot; not shown\n',
    ]);
  });

  it("without --tag asks the router for its monitor tag, and exits 1 when it publishes none", async () => {
    const { listener, asked } = await routerLike({ monitorTag: { monitor: "eu" }, path: "/", authenticate: false }, { monitor: "eu" });
    const io = new TestIo();
    expect(await runTop(command("top", "top", listener.url, "--once"), io)).toBe(0);
    expect(asked).toEqual(["GET /inspector.json"]);
    expect(io.output.join("")).toMatch(/^hakuban top  ws:\/\/127\.0\.0\.1:\d+  tag \{"monitor":"eu"\}  1 node /);
    expect(io.output.join("")).toMatch(/^router-like \[/m);

    const { listener: unmonitored } = await routerLike({ monitorTag: null, path: "/", authenticate: false });
    const told = new TestIo();
    expect(await runTop(command("top", "top", unmonitored.url), told)).toBe(1);
    expect(told.errors.join("")).toBe(`hakuban: the router at ${unmonitored.url} publishes no monitor objects: start it with --monitor-tag TAG\n`);
    expect(told.output).toEqual([]);

    const { listener: odd } = await routerLike({ monitorTag: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["deep"]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]] });
    const refused = new TestIo();
    expect(await runTop(command("top", "top", odd.url), refused)).toBe(1);
    expect(refused.errors.join("")).toMatch(/^hakuban: the router at ws:.* names a monitor tag that is not one \(Not JSON at .*\); give --tag\n$/);
  });

  it("without --tag observes hakuban-monitor when the parent is not a router, saying so", async () => {
    const { listener: notRouter } = await routerLike({ something: "else" }, "hakuban-monitor");
    const io = new TestIo();
    expect(await runTop(command("top", "top", notRouter.url, "--once"), io)).toBe(0);
    expect(io.errors.join("")).toContain(`hakuban: could not ask ${notRouter.url} for its monitor tag (http://127.0.0.1:${notRouter.port}/inspector.json has no monitorTag); observing the tag "hakuban-monitor" (give --tag to choose)\n`);
    expect(io.output.join("")).toMatch(/tag "hakuban-monitor"  1 node /);

    const { listener: plain } = await root();
    const answered426 = new TestIo();
    const running = runTop(command("top", "top", plain.url), answered426);
    await answered426.until(() => answered426.errors.join("").includes("observing the tag"));
    answered426.interrupt();
    expect(await running).toBe(0);
    expect(answered426.errors.join("")).toContain(`(http://127.0.0.1:${plain.port}/inspector.json answered 426)`);
  });
});
