/** A listener in a process of its own (listener-process.ts), for tests that measure its memory while clients attack it. */
import { type ChildProcess, spawn } from "node:child_process";
import type { ListenOptions } from "../../lib/node-entry.js";
import { root } from "./helpers.js";

/** The listener process of listener-process.ts, with its log lines. */
export class ListenerProcess {
  readonly child: ChildProcess;
  readonly lines: string[] = [];
  readonly url: Promise<string>;

  constructor(options: Omit<ListenOptions, "port" | "log">) {
    this.child = spawn(process.execPath, ["--expose-gc", "--import", "tsx", "test/e2e/listener-process.ts", JSON.stringify(options)], {
      cwd: root,
      stdio: ["ignore", "pipe", "inherit", "ipc"],
    });
    let partial = "";
    let announce: (url: string) => void = () => {};
    this.url = new Promise((resolve) => (announce = resolve));
    this.child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      const parts = (partial + chunk).split("\n");
      partial = parts.pop() ?? "";
      for (const line of parts) {
        this.lines.push(line);
        const url = /^info listening on (ws:\S+)$/.exec(line)?.[1];
        if (url !== undefined) announce(url);
      }
    });
  }

  /** The process' memory use after a garbage collection. */
  memory(): Promise<NodeJS.MemoryUsage> {
    return new Promise((resolve) => {
      this.child.once("message", (usage) => resolve(usage as NodeJS.MemoryUsage));
      this.child.send("memory");
    });
  }

  /** The first line from index `from` on that matches `pattern`, waiting for it up to `ms`. */
  async line(from: number, pattern: RegExp, ms = 10_000): Promise<string> {
    const deadline = Date.now() + ms;
    for (;;) {
      const line = this.lines.slice(from).find((candidate) => pattern.test(candidate));
      if (line !== undefined) return line;
      if (Date.now() > deadline) throw new Error(`the listener logged no line matching ${pattern} within ${ms} ms`);
      await new Promise<void>((resolve) => setTimeout(resolve, 10));
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.kill("SIGKILL");
    await exited;
  }
}
