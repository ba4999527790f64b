/**
 * A hakuban router in its own process, for benchmarks that must measure the router apart from the
 * clients. `startRouterProcess()` forks this file; the child listens on 127.0.0.1 (port 0), reports its
 * URL, and answers `memory` (heap and RSS after a full GC) and `stats` (the node's counts) over IPC.
 */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { NodeStats } from "../../lib/index.js";
import { hakubanForChild, shareLibraryWithChildren } from "./library-entry.js";

/** The router's memory, measured in its own process after a full garbage collection. */
export interface RouterMemory {
  readonly rss: number;
  readonly heapUsed: number;
}

/** A running router process. */
export interface RouterProcess {
  readonly url: string;
  memory(): Promise<RouterMemory>;
  stats(): Promise<NodeStats>;
  stop(): Promise<void>;
}

type Request = { readonly id: number; readonly type: "memory" | "stats" | "stop" };
type Reply = { readonly id: number; readonly value: unknown } | { readonly type: "ready"; readonly url: string };

/** Forks a router process and waits until it listens. */
export async function startRouterProcess(): Promise<RouterProcess> {
  await shareLibraryWithChildren();
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ["--serve"], {
    execArgv: ["--expose-gc", "--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const pending = new Map<number, (value: unknown) => void>();
  let nextId = 1;
  const url = await new Promise<string>((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`the router process exited early (code ${code})`)));
    child.on("message", (message: Reply) => {
      if ("type" in message) resolve(message.url);
      else pending.get(message.id)?.(message.value);
    });
  });
  const ask = <T>(type: Request["type"]) =>
    new Promise<T>((resolve) => {
      const id = nextId++;
      pending.set(id, (value) => {
        pending.delete(id);
        resolve(value as T);
      });
      child.send({ id, type } satisfies Request);
    });
  return {
    url,
    memory: () => ask<RouterMemory>("memory"),
    stats: () => ask<NodeStats>("stats"),
    async stop() {
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      await ask("stop").catch(() => undefined);
      await exited;
    },
  };
}

async function serve(): Promise<void> {
  const { LocalNode, listen } = await hakubanForChild();
  const node = new LocalNode({ name: "bench-router" });
  const listener = await listen(node, { host: "127.0.0.1", port: 0 });
  process.on("message", async (request: Request) => {
    let value: unknown;
    if (request.type === "memory") {
      globalThis.gc?.();
      globalThis.gc?.();
      const { rss, heapUsed } = process.memoryUsage();
      value = { rss, heapUsed } satisfies RouterMemory;
    } else if (request.type === "stats") {
      value = node.stats();
    } else {
      await node.close();
      await listener.close();
      process.send!({ id: request.id, value: null });
      process.disconnect();
      return;
    }
    process.send!({ id: request.id, value });
  });
  // The benchmark that forked us is gone (it crashed or was killed): do not linger.
  process.on("disconnect", () => process.exit(0));
  process.send!({ type: "ready", url: listener.url });
}

if (process.argv.includes("--serve")) await serve();
