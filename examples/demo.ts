// The demo behind `npm start`: a router and four client processes on 127.0.0.1. Two exposers offer
// the same counter (only the elected one publishes); two observers print it. Halfway through, the
// elected exposer is stopped and the other one takes over. Everything shuts down after ~10 s or Ctrl-C.
// Run: npm start   (or: npx tsx examples/demo.ts)
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { stopOnSignals, untilStopped } from "./until-stopped.js";

/** Options of `runDemo`. */
export interface DemoOptions {
  /** How long the clients run (default 10 000 ms). */
  readonly durationMs?: number;
  /** When the elected exposer is stopped to show failover (default: halfway). */
  readonly failoverAtMs?: number;
  /** Stops the demo early (Ctrl-C when run from a terminal). */
  readonly signal?: AbortSignal;
  readonly log?: (line: string) => void;
}

const root = fileURLToPath(new URL("..", import.meta.url));
/** How long a process may take to exit after being asked to before it is killed. */
const EXIT_GRACE_MS = 5_000;

/** One spawned process of the demo, with its output prefixed by its name. */
interface Proc {
  readonly name: string;
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  /** Resolves with the first output line that matches. */
  waitFor(pattern: RegExp): Promise<string>;
  /** Set once the demo asked it to stop. */
  stopping?: Promise<void>;
}

/** Runs the demo; returns every line it printed (each child's lines prefixed with its name). */
export async function runDemo(options: DemoOptions = {}): Promise<string[]> {
  const { durationMs = 10_000, signal } = options;
  const failoverAtMs = options.failoverAtMs ?? durationMs / 2;
  const lines: string[] = [];
  const log = (line: string): void => {
    lines.push(line);
    (options.log ?? console.log)(line);
  };
  const procs: Proc[] = [];
  const start = (name: string, script: string, args: string[]): Proc => {
    const proc = spawnPrefixed(name, script, args, log);
    procs.push(proc);
    return proc;
  };

  try {
    log("[demo] starting a router on a free port of 127.0.0.1");
    const router = start("router", "lib/router/router-cli.ts", ["--bind", "ws://127.0.0.1:0", "--name", "demo-router"]);
    const listening = await Promise.race([router.waitFor(/listening on (ws:\/\/\S+)/), router.exited.then(() => undefined)]);
    const url = listening?.match(/listening on (ws:\/\/\S+)/)?.[1];
    if (url === undefined) throw new Error("the router did not start; see its lines above");

    log(`[demo] starting two exposers and two observers, all connecting to ${url}`);
    const exposers = [start("exposer-1", "examples/exposer.ts", [url, "exposer-1"]), start("exposer-2", "examples/exposer.ts", [url, "exposer-2"])];
    const observers = [start("observer-1", "examples/observer.ts", [url, "observer-1"]), start("observer-2", "examples/observer.ts", [url, "observer-2"])];
    const elected = Promise.race(exposers.map(async (exposer) => (await exposer.waitFor(/assigned: publishing/), exposer)));
    // The clock starts once every client is linked (starting a process takes a moment).
    await Promise.race([
      Promise.all([...exposers, ...observers].map((proc) => proc.waitFor(/upstream connected/))),
      untilStopped(10_000, signal),
    ]);

    // Failover: stop whichever exposer is publishing; observers see the other one take over.
    await untilStopped(failoverAtMs, signal);
    if (!signal?.aborted) {
      const publishing = await Promise.race([elected, untilStopped(2_000, signal).then(() => undefined)]);
      if (publishing !== undefined) {
        log(`[demo] stopping ${publishing.name}, the elected exposer: the other one takes over`);
        await stop(publishing, log, false);
      }
      await untilStopped(durationMs - failoverAtMs, signal);
    }
  } finally {
    log(signal?.aborted ? "[demo] interrupted: shutting down" : "[demo] time is up: shutting down");
    // Clients first, the router last. After Ctrl-C the terminal already signalled every process.
    const router = procs.find((proc) => proc.name === "router");
    await Promise.all(procs.filter((proc) => proc !== router).map((proc) => stop(proc, log, signal?.aborted ?? false)));
    if (router !== undefined) await stop(router, log, signal?.aborted ?? false);
  }
  log("[demo] done");
  return lines;
}

/** Spawns `node --import tsx <script> <args>` from the project root, printing its lines with a prefix. */
function spawnPrefixed(name: string, script: string, args: string[], log: (line: string) => void): Proc {
  const child = spawn(process.execPath, ["--import", "tsx", script, ...args], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  const prefix = `[${name}]`.padEnd(13);
  const waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];
  const onLine = (line: string): void => {
    log(`${prefix}${line}`);
    for (const waiter of [...waiters]) {
      if (!waiter.pattern.test(line)) continue;
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(line);
    }
  };
  for (const stream of [child.stdout, child.stderr]) {
    let partial = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      const parts = (partial + chunk).split("\n");
      partial = parts.pop() ?? "";
      for (const line of parts) onLine(line);
    });
    stream.on("end", () => {
      if (partial !== "") onLine(partial);
      partial = "";
    });
  }
  const exited = new Promise<number | null>((resolve) => {
    child.once("error", (error) => {
      log(`${prefix}could not start: ${error.message}`);
      resolve(null);
    });
    child.once("close", (code) => resolve(code));
  });
  return {
    name,
    child,
    exited,
    waitFor: (pattern) => new Promise((resolve) => waiters.push({ pattern, resolve })),
  };
}

/**
 * Asks a process to exit with SIGTERM and waits for it; kills it if it takes too long. When
 * `alreadySignalled` (Ctrl-C reached the whole process group), gives it time to exit by itself first.
 */
function stop(proc: Proc, log: (line: string) => void, alreadySignalled: boolean): Promise<void> {
  return (proc.stopping ??= stopOnce(proc, log, alreadySignalled));
}

async function stopOnce(proc: Proc, log: (line: string) => void, alreadySignalled: boolean): Promise<void> {
  const running = (): boolean => proc.child.exitCode === null && proc.child.signalCode === null;
  const exitedWithin = (ms: number): Promise<boolean> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    return Promise.race([
      proc.exited.then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
    ]).finally(() => clearTimeout(timer));
  };
  if (running() && !(alreadySignalled && (await exitedWithin(2_000)))) {
    if (running()) proc.child.kill("SIGTERM");
    if (!(await exitedWithin(EXIT_GRACE_MS))) {
      log(`[demo] ${proc.name} did not exit within ${EXIT_GRACE_MS} ms: killing it`);
      proc.child.kill("SIGKILL");
    }
  }
  const code = await proc.exited;
  log(`[demo] ${proc.name} exited with code ${code ?? proc.child.signalCode}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await runDemo({ signal: stopOnSignals() });
