import { collectDefaultMetrics, Registry } from "prom-client";

let registry: Registry | undefined;

/**
 * prom-client's standard process metrics (`process_*`, `nodejs_*`: CPU, memory, handles, garbage
 * collection, event loop lag), named as Prometheus' Node.js exporters name them. They describe the
 * process, not one router, so the process has one registry of them, made at the first scrape and shared
 * by every router it runs (prom-client's collectors of them are never stopped, so making them once
 * also keeps routers started and closed in one process from piling them up).
 */
export function processMetrics(): Registry {
  if (registry === undefined) {
    registry = new Registry();
    collectDefaultMetrics({ register: registry });
  }
  return registry;
}
