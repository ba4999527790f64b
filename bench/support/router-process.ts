/**
 * A hakuban router in its own process, for benchmarks that must measure the router apart from the
 * clients. `startRouterProcess()` forks this file; the child listens on 127.0.0.1 (port 0), reports its
 * URL, and answers `memory` (heap and RSS after a full GC), `stats` (the node's counts) and `cpu` (the
 * CPU time it used, to price an update in router CPU) over IPC. It runs the build of hakuban that
 * `library-entry.ts` picks (compiled by default), with the listener policy and JWT secret given to
 * `startRouterProcess` (JSON; links then authenticate with HS256 JWTs signed with it), takes a new
 * policy over IPC (`setPolicy`), joins a cluster of roots when asked (`cluster`), can be killed as a crash
 * would (`kill`) and started again on its port (`port`), and can run under a profiler (see `profile-flags.ts`:
 * `HAKUBAN_BENCH_PROFILE=cpu` profiles every router started here).
 */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { NodeStats } from "../../lib/index.js";
import { libraryEntry, loadHakuban } from "./library-entry.js";
import { profileFlags } from "./profile-flags.js";

/** The router's memory, measured in its own process after a full garbage collection. */
export interface RouterMemory {
  readonly rss: number;
  readonly heapUsed: number;
  /** V8 heap committed (used or not). */
  readonly heapTotal: number;
  /** Memory of ArrayBuffers and other objects outside the V8 heap. */
  readonly external: number;
}

/** A running router process. */
export interface RouterProcess {
  readonly url: string;
  /** RSS and heap after a full GC. */
  memory(): Promise<RouterMemory>;
  stats(): Promise<NodeStats>;
  /** User + system CPU time the process has used so far, in microseconds. */
  cpu(): Promise<number>;
  /** Hands the listener a new policy (JSON); resolves with the milliseconds `listener.setPolicy` took. */
  setPolicy(policy: unknown): Promise<number>;
  stop(): Promise<void>;
  /** Kills the process at once (SIGKILL), as a crash would, and waits until it is gone. */
  kill(): Promise<void>;
}

type Request =
  | { readonly id: number; readonly type: "memory" | "stats" | "cpu" | "stop" }
  | { readonly id: number; readonly type: "setPolicy"; readonly policy: unknown };

/** What the router process is started with. */
export interface RouterProcessOptions {
  /** The listener's policy (JSON, as a policy file holds it). */
  readonly policy?: unknown;
  /** Links must bring an HS256 JWT signed with this secret (at least 32 bytes); their claims are the principal. */
  readonly jwtSecret?: string;
  /** The listener's monitor tag: the router publishes its snapshot under it while it is observed. */
  readonly monitorTag?: string;
  /** The listener's port (default 0: a free one). */
  readonly port?: number;
  /** The cluster of roots the router joins (`joinCluster`'s options, without a log). */
  readonly cluster?: { readonly url: string; readonly leaseMs?: number };
}
type Reply = { readonly id: number; readonly value: unknown } | { readonly type: "ready"; readonly url: string };

/** Forks a router process (with any profile flags) and waits until it listens. */
export async function startRouterProcess(options: RouterProcessOptions = {}): Promise<RouterProcess> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ["--serve", await libraryEntry(), JSON.stringify(options)], {
    execArgv: ["--expose-gc", ...profileFlags("router"), "--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const pending = new Map<number, (value: unknown) => void>();
  let nextId = 1;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    child.once("error", reject);
    void exited.then(() => reject(new Error("the router process exited before it listened")));
    child.on("message", (message: Reply) => {
      if ("type" in message) resolve(message.url);
      else pending.get(message.id)?.(message.value);
    });
  });
  const ask = <T>(request: DistributiveOmit<Request, "id">) =>
    new Promise<T>((resolve) => {
      const id = nextId++;
      pending.set(id, (value) => {
        pending.delete(id);
        resolve(value as T);
      });
      child.send({ ...request, id } satisfies Request);
    });
  return {
    url,
    memory: () => ask<RouterMemory>({ type: "memory" }),
    stats: () => ask<NodeStats>({ type: "stats" }),
    cpu: () => ask<number>({ type: "cpu" }),
    setPolicy: (policy) => ask<number>({ type: "setPolicy", policy }),
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGKILL");
      await exited;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      child.send({ id: 0, type: "stop" } satisfies Request);
      await exited;
      clearTimeout(timer);
    },
  };
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

async function serve(entry: string, options: RouterProcessOptions): Promise<void> {
  const { LocalNode, listen, jwtAuthenticator, parsePolicy, joinCluster } = await loadHakuban(entry);
  const node = new LocalNode({ name: "bench-router" });
  const listener = await listen(node, {
    host: "127.0.0.1",
    port: options.port ?? 0,
    ...(options.policy === undefined ? {} : { policy: parsePolicy(options.policy) }),
    ...(options.jwtSecret === undefined ? {} : { authenticate: jwtAuthenticator({ secret: options.jwtSecret }) }),
    ...(options.monitorTag === undefined ? {} : { monitorTag: options.monitorTag }),
  });
  if (options.cluster !== undefined) joinCluster(node, options.cluster);
  // Whatever happens to the bench (a crash, a kill), this process does not outlive it.
  process.once("disconnect", () => process.exit(0));
  process.on("message", async (request: Request) => {
    let value: unknown;
    if (request.type === "memory") {
      globalThis.gc?.();
      globalThis.gc?.();
      const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
      value = { rss, heapUsed, heapTotal, external } satisfies RouterMemory;
    } else if (request.type === "stats") {
      value = node.stats();
    } else if (request.type === "cpu") {
      const { user, system } = process.cpuUsage();
      value = user + system;
    } else if (request.type === "setPolicy") {
      const started = performance.now();
      listener.setPolicy(parsePolicy(request.policy));
      value = performance.now() - started;
    } else {
      await node.close();
      await listener.close();
      process.disconnect();
      return;
    }
    process.send!({ id: request.id, value });
  });
  process.send!({ type: "ready", url: listener.url });
}

if (process.argv[2] === "--serve") await serve(process.argv[3]!, JSON.parse(process.argv[4]!) as RouterProcessOptions);
