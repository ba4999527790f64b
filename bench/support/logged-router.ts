/**
 * The router `hakuban-router` runs, in a process of its own, for benchmarks that attack it: the child
 * parses a router command line with the CLI's parser and starts the router the CLI starts (with its
 * defaults and limits), keeping every log line at the CLI's default level (info) as "<level> <line>".
 * Its peak RSS and its longest event-loop stall are its own, not the attacker's or the clients'.
 * `startLoggedRouter()` forks it and asks over IPC (see ipc-child.ts).
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import type { RouterLogLevel } from "../../lib/router/router-options.js";
import { forkIpcChild, serveIpc, type IpcRequest } from "./ipc-child.js";
import { libraryEntry } from "./library-entry.js";
import { profileFlags } from "./profile-flags.js";

/** What the router process used so far. */
export interface RouterUsage {
  /** The largest resident set size the process ever had (bytes). */
  readonly peakRss: number;
  /** The longest the router's event loop was blocked (ms; sampled every 10 ms). */
  readonly longestStallMs: number;
  /** Children linked right now. */
  readonly links: number;
}

/** A running router process. */
export interface LoggedRouter {
  readonly url: string;
  /** Its log lines from index `from` on, each "<level> <line>". */
  log(from?: number): Promise<string[]>;
  /** Rejects with IpcChildError once the process has exited. */
  usage(): Promise<RouterUsage>;
  stop(): Promise<void>;
}

/** Forks a router running the build of hakuban that library-entry.ts picks, and waits until it listens. */
export async function startLoggedRouter(): Promise<LoggedRouter> {
  const child = await forkIpcChild(fileURLToPath(import.meta.url), ["--serve", await libraryEntry()], [...profileFlags("router"), "--import", "tsx"]);
  return {
    url: String(child.ready.url),
    log: (from = 0) => child.ask<string[]>("log", { from }),
    usage: () => child.ask<RouterUsage>("usage"),
    stop: () => child.stop(),
  };
}

/** The compiled (or source) module next to the library entry `entry`, e.g. "router/router". */
function sibling(entry: string, module: string): string {
  return entry.replace(/node-entry\.(ts|js)$/, `${module}.$1`);
}

async function serve(entry: string): Promise<void> {
  const { startRouter } = (await import(sibling(entry, "router/router"))) as typeof import("../../lib/router/router.js");
  const { parseRouterArgs, ROUTER_LOG_LEVELS } = (await import(sibling(entry, "router/router-options"))) as typeof import("../../lib/router/router-options.js");
  const command = parseRouterArgs(["--bind", "ws://127.0.0.1:0", "--name", "bench-router"]);
  if (command.kind !== "run") throw new Error("the router command line did not parse as a run");
  const threshold = ROUTER_LOG_LEVELS.indexOf(command.options.logLevel);
  const lines: string[] = [];
  const log = (level: RouterLogLevel, line: string): void => {
    if (ROUTER_LOG_LEVELS.indexOf(level) <= threshold) lines.push(`${level} ${line}`);
  };
  const stalls = monitorEventLoopDelay({ resolution: 10 });
  stalls.enable();
  const router = await startRouter(command.options, log);
  serveIpc(
    { url: router.listener.url },
    (request: IpcRequest) => {
      if (request.type === "log") return lines.slice(Number(request.from));
      if (request.type === "usage") {
        return {
          peakRss: process.resourceUsage().maxRSS * 1024,
          longestStallMs: stalls.max / 1e6,
          links: router.listener.links,
        } satisfies RouterUsage;
      }
      throw new Error(`unknown request ${request.type}`);
    },
    async () => {
      stalls.disable();
      await router.close();
    },
  );
}

if (process.argv[2] === "--serve") await serve(process.argv[3]!);
