// Exposer: offers a counter object through a router and publishes a tick while it is the elected
// exposer. Start two: only one publishes at a time, and the other takes over when it stops.
// Run (after starting a router, see observer.ts): npx tsx examples/exposer.ts ws://127.0.0.1:3001 exposer-1
import { LocalNode, connect } from "hakuban";
import { stopOnSignals, untilStopped } from "./until-stopped.js";

/** The data of the shared counter object. */
export interface Counter {
  readonly tick: number;
  /** The name of the exposer that published it. */
  readonly by: string;
}

/** The counter's identity, shared by exposers and observers: tags plus JSON. */
export const COUNTER = { tags: ["demo"], json: { name: "counter" } } as const;

/** Options of `runExposer`. */
export interface ExposerOptions {
  /** The router to connect to. */
  readonly url: string;
  readonly name?: string;
  /** How often to publish while assigned (default 500 ms). */
  readonly intervalMs?: number;
  /** How long to run (default: until `signal` aborts). */
  readonly durationMs?: number;
  readonly signal?: AbortSignal;
  readonly log?: (line: string) => void;
}

/** Runs an exposer node until `durationMs` passes or `signal` aborts; returns the lines it printed. */
export async function runExposer(options: ExposerOptions): Promise<string[]> {
  const { url, name = "exposer", intervalMs = 500, durationMs = Infinity, signal } = options;
  const lines: string[] = [];
  const log = (line: string): void => {
    lines.push(line);
    (options.log ?? console.log)(line);
  };

  const node = new LocalNode({ name });
  const upstream = connect(node, url);
  upstream.onStatus((status) => log(`upstream ${status}`));

  // Offer the counter. It is assigned only while this exposer is elected and someone observes it.
  const counter = node.object(COUNTER.tags, COUNTER.json).expose<Counter>();
  let tick = 0;
  const publish = (): void => {
    if (counter.assigned) counter.set({ tick: ++tick, by: name });
  };
  counter.onAssigned((assigned) => {
    log(assigned ? "assigned: publishing" : "not assigned: idle");
    publish();
  });
  const timer = setInterval(publish, intervalMs);

  await untilStopped(durationMs, signal);
  clearInterval(timer);
  await node.close(); // closes the upstream too
  log(`stopped after publishing ${tick} ticks`);
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await runExposer({ url: process.argv[2] ?? "ws://127.0.0.1:3001", name: process.argv[3] ?? "exposer", signal: stopOnSignals() });
}
