/**
 * Measuring hakuban against its floor in the same run: a system under test is a publisher and its
 * pool of observers, and both systems are measured in alternating rounds (so both see the same
 * machine load), reporting medians and the median of the per-round ratios.
 */
import type { ClientKind, ClientPool } from "./client-worker.js";
import { median, quantile } from "./latency.js";
import { publishAtRate, publishFlatOut } from "./publish-loop.js";
import type { Publisher } from "./publisher.js";

/** One system under test: its publisher and its observers. */
export interface System {
  readonly kind: ClientKind;
  readonly publisher: Publisher;
  readonly pool: ClientPool;
}

/** Medians of two systems' figures, and the median of their per-round ratios. */
export interface Paired {
  readonly hakuban: number;
  readonly floor: number;
  /** Oriented so that above 1 means hakuban did better. */
  readonly ratio: number;
}

/**
 * Observers' distinct versions per second, summed, while the publisher goes flat out over `topics`
 * for `ms`; then waits for the pipeline to drain.
 */
export async function deliveryRate(system: System, topics: readonly number[], ms: number): Promise<number> {
  await system.pool.reset(false);
  const start = performance.now();
  await publishFlatOut(system.publisher, topics, ms);
  const { count } = await system.pool.report();
  const rate = count / ((performance.now() - start) / 1000);
  await system.pool.settle();
  return rate;
}

/** p50 and p99 latency (ms) over every observer while the publisher sends `perSecond` updates a second for `ms`. */
export async function latency(system: System, topics: readonly number[], perSecond: number, ms: number): Promise<{ p50: number; p99: number }> {
  await system.pool.reset(true);
  await publishAtRate(system.publisher, topics, perSecond, ms);
  await system.pool.settle();
  const { samples } = await system.pool.report();
  return { p50: quantile(samples, 0.5), p99: quantile(samples, 0.99) };
}

/**
 * Runs `measure` on both systems for `rounds` rounds, alternating which goes first. The figures are
 * kept by position, not by `kind`, so two systems of the same kind can be paired too (the first one's
 * under `hakuban`, the second one's under `floor`).
 */
export async function alternate<T>(
  hakuban: System,
  floor: System,
  rounds: number,
  measure: (system: System) => Promise<T>,
): Promise<{ hakuban: T[]; floor: T[] }> {
  const out = { hakuban: [] as T[], floor: [] as T[] };
  for (let round = 0; round < rounds; round++) {
    for (const side of round % 2 === 0 ? (["hakuban", "floor"] as const) : (["floor", "hakuban"] as const)) {
      out[side].push(await measure(side === "hakuban" ? hakuban : floor));
    }
  }
  return out;
}

/** Higher is better for hakuban (rates): ratio hakuban ÷ floor per round. */
export function pairHigherIsBetter(hakuban: readonly number[], floor: readonly number[]): Paired {
  return { hakuban: median(hakuban), floor: median(floor), ratio: median(hakuban.map((h, i) => h / floor[i]!)) };
}

/** Lower is better for hakuban (latencies): ratio floor ÷ hakuban per round. */
export function pairLowerIsBetter(hakuban: readonly number[], floor: readonly number[]): Paired {
  return { hakuban: median(hakuban), floor: median(floor), ratio: median(hakuban.map((h, i) => floor[i]! / h)) };
}

/** Starts a hakuban pool and a floor pool; if one fails, stops the other and rethrows. */
export async function startPools(start: (kind: ClientKind) => Promise<ClientPool>): Promise<{ hakuban: ClientPool; floor: ClientPool }> {
  const [h, f] = await Promise.allSettled([start("hakuban"), start("floor")]);
  if (h.status === "fulfilled" && f.status === "fulfilled") return { hakuban: h.value, floor: f.value };
  if (h.status === "fulfilled") await h.value.stop();
  if (f.status === "fulfilled") await f.value.stop();
  throw h.status === "rejected" ? h.reason : (f as PromiseRejectedResult).reason;
}
