// Observer: follows the counter object published by exposer.ts, through a router.
// Run, in three terminals:
//   npx tsx lib/router/router-cli.ts --bind ws://127.0.0.1:3001
//   npx tsx examples/exposer.ts ws://127.0.0.1:3001 exposer-1
//   npx tsx examples/observer.ts ws://127.0.0.1:3001 observer-1
import { LocalNode, connect } from "hakuban";
import { COUNTER, type Counter } from "./exposer.js";
import { stopOnSignals, untilStopped } from "./until-stopped.js";

/** Options of `runObserver`. */
export interface ObserverOptions {
  /** The router to connect to. */
  readonly url: string;
  readonly name?: string;
  /** Stop after this many synchronized updates (default: no limit). */
  readonly updates?: number;
  /** How long to run at most (default: until `signal` aborts or `updates` arrived). */
  readonly durationMs?: number;
  readonly signal?: AbortSignal;
  readonly log?: (line: string) => void;
}

/** Runs an observer node until it saw `updates` updates, `durationMs` passed or `signal` aborted; returns its lines. */
export async function runObserver(options: ObserverOptions): Promise<string[]> {
  const { url, name = "observer", updates = Infinity, durationMs = Infinity } = options;
  const lines: string[] = [];
  const log = (line: string): void => {
    lines.push(line);
    (options.log ?? console.log)(line);
  };
  const done = new AbortController();
  const stop = (): void => done.abort();
  options.signal?.addEventListener("abort", stop, { once: true });
  if (options.signal?.aborted) stop();

  const node = new LocalNode({ name });
  const upstream = connect(node, url);
  upstream.onStatus((status) => log(`upstream ${status}`));

  const observer = node.object(COUNTER.tags, COUNTER.json).observe<Counter>();
  let seen = 0;
  observer.onChange((state) => {
    if (state === undefined) return;
    log(`tick ${state.data.tick} by ${state.data.by}${state.synchronized ? "" : " (not synchronized: waiting for an exposer)"}`);
    if (state.synchronized && ++seen >= updates) stop();
  });

  await untilStopped(durationMs, done.signal);
  options.signal?.removeEventListener("abort", stop);
  await node.close();
  log(`stopped after ${seen} updates`);
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runObserver({ url: process.argv[2] ?? "ws://127.0.0.1:3001", name: process.argv[3] ?? "observer", signal: stopOnSignals() });
}
