import { monitorEventLoopDelay } from "node:perf_hooks";
import { Counter, Gauge, Registry } from "prom-client";
import type { NodeTotals } from "../monitor/node-snapshot.js";
import { processMetrics } from "./process-metrics.js";

/** One `hakuban_*` metric read from the node's totals at scrape time. */
interface TotalsMetric {
  readonly name: string;
  readonly help: string;
  readonly type: "gauge" | "counter";
  readonly value: (totals: NodeTotals) => number;
}

/** The node's counts (gauges) and totals since it started (counters), as `GET /metrics` shows them. */
const TOTALS_METRICS: readonly TotalsMetric[] = [
  { name: "hakuban_links", help: "Child links open now, handshaking ones included.", type: "gauge", value: (t) => t.links },
  { name: "hakuban_objects", help: "Objects the node holds now.", type: "gauge", value: (t) => t.objects },
  { name: "hakuban_tags", help: "Tags the node holds now.", type: "gauge", value: (t) => t.tags },
  { name: "hakuban_contracts", help: "Observe and expose contracts made on the node itself, open now.", type: "gauge", value: (t) => t.contracts },
  { name: "hakuban_queued_bytes", help: "Bytes waiting to be sent on every link now.", type: "gauge", value: (t) => t.queuedBytes },
  { name: "hakuban_updates_total", help: "States that became an object's current state.", type: "counter", value: (t) => t.updates },
  { name: "hakuban_elections_total", help: "Exposers elected for an object that had none.", type: "counter", value: (t) => t.elections },
  { name: "hakuban_handovers_total", help: "Objects moved from one exposer to another.", type: "counter", value: (t) => t.handovers },
  {
    name: "hakuban_refusals_total",
    help: "Connections and links turned away (limits, authentication, origins).",
    type: "counter",
    value: (t) => t.refusals,
  },
  { name: "hakuban_denials_total", help: "Observe and expose requests a policy denied.", type: "counter", value: (t) => t.denials },
  { name: "hakuban_received_messages_total", help: "Messages received on every link.", type: "counter", value: (t) => t.messagesIn },
  { name: "hakuban_sent_messages_total", help: "Messages sent on every link.", type: "counter", value: (t) => t.messagesOut },
  { name: "hakuban_received_bytes_total", help: "Bytes received on every link.", type: "counter", value: (t) => t.bytesIn },
  { name: "hakuban_sent_bytes_total", help: "Bytes sent on every link.", type: "counter", value: (t) => t.bytesOut },
];

/** What the router's metrics are made from. */
export interface RouterMetricsSource {
  /** The node's counts and totals (`node.monitor.totals()`), read once per scrape. */
  readonly totals: () => NodeTotals;
  /** The router's node name, in `hakuban_router_info`. */
  readonly name: string;
  /** The package version, in `hakuban_router_info`. */
  readonly version: string;
}

/** A router's Prometheus metrics. */
export interface RouterMetrics {
  /** The Content-Type of `scrape()`'s text. */
  readonly contentType: string;
  /** The metrics now, as Prometheus text: `hakuban_*`, then the process' own (`process_*`, `nodejs_*`). */
  scrape(): Promise<string>;
  /** Stops measuring the event loop's delay. */
  close(): void;
}

/**
 * The metrics `GET /metrics` serves: the node's totals read at scrape time, the event loop's delay
 * since the previous scrape, and the process metrics of prom-client. Each router has its own registry,
 * so two routers in one process do not clash.
 */
export function routerMetrics(source: RouterMetricsSource): RouterMetrics {
  const registry = new Registry();
  const registers = [registry];
  let totals: NodeTotals | undefined;
  const read = (): NodeTotals => (totals ??= source.totals());
  for (const metric of TOTALS_METRICS) {
    if (metric.type === "gauge") {
      new Gauge({
        name: metric.name,
        help: metric.help,
        registers,
        collect() {
          this.set(metric.value(read()));
        },
      });
    } else {
      new Counter({
        name: metric.name,
        help: metric.help,
        registers,
        collect() {
          this.reset();
          this.inc(metric.value(read()));
        },
      });
    }
  }
  new Gauge({
    name: "hakuban_router_info",
    help: "The router's node name and hakuban version; always 1.",
    labelNames: ["name", "version"],
    registers,
  }).set({ name: source.name, version: source.version }, 1);

  // Read at each scrape, then reset: each scrape shows the delays since the previous one.
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  new Gauge({
    name: "hakuban_event_loop_delay_p99_seconds",
    help: "99th percentile of the event loop's delay since the previous scrape, in seconds.",
    registers,
    collect() {
      this.set(delay.percentile(99) / 1e9);
    },
  });
  new Gauge({
    name: "hakuban_event_loop_delay_max_seconds",
    help: "Longest event loop delay since the previous scrape, in seconds.",
    registers,
    collect() {
      this.set(delay.max / 1e9);
    },
  });

  return {
    contentType: registry.contentType,
    scrape: async () => {
      try {
        return `${await registry.metrics()}\n${await processMetrics().metrics()}`;
      } finally {
        totals = undefined;
        delay.reset();
      }
    },
    close: () => delay.disable(),
  };
}
