/**
 * Reading a router's memory as what it keeps: right after a burst (a synchronization of many objects)
 * V8 still holds the young-generation and heap pages the burst committed, and gives them back after a
 * few seconds of rest. Benchmarks report RSS both right after the burst and at rest.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { RouterMemory, RouterProcess } from "./router-process.js";

/** How long a router is left at rest before the second reading. */
export const AT_REST_MS = 10_000;

/** The router's memory (after GC) once it has been at rest for AT_REST_MS. */
export async function memoryAtRest(router: RouterProcess): Promise<RouterMemory> {
  await sleep(AT_REST_MS);
  return router.memory();
}
