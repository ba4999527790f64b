// Tag dashboard: eight sensors carry the tag "sensors". Two tag exposers on separate nodes, with
// capacities 1 and 3, share them (a quarter and three quarters); a dashboard follows the whole tag and
// prints a compact table. Everything runs in one process over real WebSockets on 127.0.0.1, through a
// router node, as if each node were its own process.
// Run: npx tsx examples/tag-dashboard.ts
import { filter, firstValueFrom } from "rxjs";
import { LocalNode, type ObjectDescriptor, type TagObserve, connect, listen } from "hakuban";
import { stopOnSignals, untilStopped } from "./until-stopped.js";

/** What a sensor publishes. */
export interface Reading {
  readonly celsius: number;
  /** The exposer that produced the reading. */
  readonly by: string;
}

/** Options of `runTagDashboard`. */
export interface TagDashboardOptions {
  /** How many sensors (default 8). */
  readonly sensors?: number;
  /** How long to keep redrawing after the first complete table (default 0: draw it once). */
  readonly durationMs?: number;
  /** How often the exposers publish and the table is redrawn (default 1000 ms). */
  readonly intervalMs?: number;
  readonly signal?: AbortSignal;
  readonly log?: (line: string) => void;
}

const TAG = "sensors";

/** Runs the dashboard scenario for a bounded time; returns the lines it printed. */
export async function runTagDashboard(options: TagDashboardOptions = {}): Promise<string[]> {
  const { sensors = 8, durationMs = 0, intervalMs = 1000, signal } = options;
  const lines: string[] = [];
  const log = (line: string): void => {
    lines.push(line);
    (options.log ?? console.log)(line);
  };

  // A router node, and three nodes linked to it as if they were separate processes.
  const router = new LocalNode({ name: "router" });
  const listener = await listen(router, { port: 0 });
  const nodes: LocalNode[] = [];
  const timers: ReturnType<typeof setInterval>[] = [];
  const linked = async (name: string): Promise<LocalNode> => {
    const node = new LocalNode({ name });
    nodes.push(node);
    const upstream = connect(node, listener.url);
    await firstValueFrom(upstream.status$.pipe(filter((status) => status === "connected")));
    return node;
  };

  try {
    // Two tag exposers: each publishes a reading for every sensor it is assigned, and only those.
    for (const [name, capacity] of [["small", 1], ["big", 3]] as const) {
      const exposer = (await linked(`exposer-${name}`)).tag(TAG).expose<Reading>({ capacity });
      let round = 0;
      const publish = (descriptor: ObjectDescriptor): void => {
        const sensor = (descriptor.json as { sensor: number }).sensor;
        const celsius = Math.round((20 + sensor + Math.sin(round + sensor)) * 10) / 10;
        exposer.set(descriptor, { celsius, by: `${name}(${capacity})` });
      };
      exposer.onAssignment(({ descriptor, assigned }) => {
        if (assigned) publish(descriptor);
      });
      timers.push(
        setInterval(() => {
          round++;
          for (const descriptor of exposer.assigned) publish(descriptor);
        }, intervalMs),
      );
    }

    // The dashboard: its object observers create the demand (an exposer is elected only for observed
    // objects); one tag observer sees every object with the tag, whoever observes it.
    const dashboard = await linked("dashboard");
    for (let sensor = 1; sensor <= sensors; sensor++) dashboard.object([TAG], { sensor }).observe<Reading>();
    const table = dashboard.tag(TAG).observe<Reading>();

    // Draw once every sensor has a synchronized reading, then redraw until the time is up.
    const complete = (): boolean =>
      table.objects.size === sensors && [...table.objects.values()].every(({ state }) => state?.synchronized === true);
    if (!complete()) await firstValueFrom(table.changes$.pipe(filter(complete)));
    draw(table, log);
    if (durationMs > 0) {
      timers.push(setInterval(() => draw(table, log), intervalMs));
      await untilStopped(durationMs, signal);
    }
  } finally {
    for (const timer of timers) clearInterval(timer);
    await Promise.all(nodes.map((node) => node.close()));
    await router.close(); // closes the listener too
  }
  return lines;
}

/** Prints the table: one row per sensor, then how many sensors each exposer serves. */
function draw(table: TagObserve<Reading>, log: (line: string) => void): void {
  const rows = [...table.objects.values()]
    .map(({ descriptor, state }) => ({ sensor: (descriptor.json as { sensor: number }).sensor, state }))
    .sort((a, b) => a.sensor - b.sensor);
  log("sensor  celsius  exposer");
  for (const { sensor, state } of rows) {
    log(`${String(sensor).padStart(6)}  ${(state?.data.celsius.toFixed(1) ?? "-").padStart(7)}  ${state?.data.by ?? "-"}`);
  }
  const load = new Map<string, number>();
  for (const { state } of rows) if (state !== undefined) load.set(state.data.by, (load.get(state.data.by) ?? 0) + 1);
  log(`load: ${[...load].sort(([a], [b]) => a.localeCompare(b)).map(([by, count]) => `${by} serves ${count}`).join(", ")}`);
}

if (import.meta.url === `file://${process.argv[1]}`) await runTagDashboard({ durationMs: 5000, signal: stopOnSignals() });
