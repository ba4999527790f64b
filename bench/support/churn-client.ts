/**
 * A churning client in its own process, for the soak: it repeats a cycle of "make a node, connect to
 * the router, expose a few objects and observe a few of the other workers' (and, every other cycle, their
 * whole tag), update, leave". It leaves politely (node.close()) except on its last cycle, where it exits
 * the process with its link and contracts still live, as a crashed client would; the bench then starts a
 * fresh one. `startChurnClient()` forks this file and reports each finished cycle.
 */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { libraryEntry, loadHakuban } from "./library-entry.js";
import { profileFlags } from "./profile-flags.js";

/** What a churn worker does. */
export interface ChurnOptions {
  readonly url: string;
  /** This worker's index; it observes the objects of the other `workers - 1`. */
  readonly worker: number;
  readonly workers: number;
  /** Cycles before the worker exits abruptly. */
  readonly cycles: number;
}

/** A running churn worker. */
export interface ChurnClient {
  /** Resolves when the process has exited (after its abrupt last cycle, or after stop()). */
  readonly exited: Promise<void>;
  /** Asks the worker to finish its current cycle politely and exit. */
  stop(): Promise<void>;
}

/** Objects each worker exposes (and observes of each other worker) per cycle. */
const OBJECTS = 3;
/** Updates per exposed object per cycle. */
const UPDATES = 5;
/** How long a cycle stays linked after its updates, so the others can see them (ms). */
const DWELL_MS = 40;
const TAG = "soak";

/** Forks a churn worker; `onCycle` is called after each cycle it finishes. */
export async function startChurnClient(options: ChurnOptions, onCycle: () => void): Promise<ChurnClient> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ["--serve", JSON.stringify(options), await libraryEntry()], {
    execArgv: [...profileFlags("client"), "--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  child.on("message", onCycle);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      if (child.connected) child.send("stop");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function serve(options: ChurnOptions, entry: string): Promise<void> {
  const { LocalNode, connect } = await loadHakuban(entry);
  const { filter, firstValueFrom } = await import("rxjs");
  let stopping = false;
  // Whatever happens to the bench (a crash, a kill), this process does not outlive it.
  process.once("disconnect", () => process.exit(0));
  process.on("message", () => (stopping = true));
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  for (let cycle = 0; cycle < options.cycles && !stopping; cycle++) {
    const node = new LocalNode({ name: `churn-${options.worker}-${cycle}` });
    const upstream = connect(node, options.url);
    await firstValueFrom(upstream.status$.pipe(filter((status) => status === "connected")));
    const exposers = Array.from({ length: OBJECTS }, (_, k) => node.object([TAG], { worker: options.worker, k }).expose<{ n: number; cycle: number }>());
    for (let other = 0; other < options.workers; other++) {
      if (other === options.worker) continue;
      for (let k = 0; k < OBJECTS; k++) node.object([TAG], { worker: other, k }).observe().onChange(() => undefined);
    }
    if (cycle % 2 === 0) node.tag(TAG).observe().onChange(() => undefined);
    for (let n = 0; n < UPDATES; n++) {
      for (const expose of exposers) expose.set({ n, cycle });
      await sleep(DWELL_MS / UPDATES);
    }
    await sleep(DWELL_MS);
    if (cycle === options.cycles - 1) process.exit(0);
    await node.close();
    process.send!("cycle");
  }
  process.disconnect();
}

if (process.argv[2] === "--serve") await serve(JSON.parse(process.argv[3]!) as ChurnOptions, process.argv[4]!);
