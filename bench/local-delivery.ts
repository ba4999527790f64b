/**
 * Issue "in-process exchange" figures: the rate of local set() → observer delivery against a bare RxJS
 * BehaviorSubject.next() in the same run, and the memory an idle observed object costs beyond its data.
 */
import { BehaviorSubject } from "rxjs";
import { libraryEntry, loadHakuban, type HakubanModule } from "./support/library-entry.js";

/** The library as shipped (compiled), not the TypeScript sources through tsx (see library-entry.ts). */
let LocalNode: HakubanModule["LocalNode"];
import type { BenchResult, BenchScenario } from "./result.js";

const OBSERVERS = 4;

/**
 * Rates of `a` and `b` measured in alternating rounds (so both see the same machine load), with the
 * median of the per-round ratios: on a noisy machine that is the figure to trust.
 */
function pairedRates(a: (n: number) => void, b: (n: number) => void, n: number, rounds = 9): { a: number; b: number; ratio: number } {
  a(Math.min(n, 20_000));
  b(Math.min(n, 20_000));
  const time = (run: (n: number) => void) => {
    const start = process.hrtime.bigint();
    run(n);
    return n / (Number(process.hrtime.bigint() - start) / 1e9);
  };
  const as: number[] = [];
  const bs: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const rateA = time(a);
    const rateB = time(b);
    as.push(rateA);
    bs.push(rateB);
    ratios.push(rateA / rateB);
  }
  const median = (xs: number[]) => xs.slice().sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  return { a: median(as), b: median(bs), ratio: median(ratios) };
}

function subjectRun(n: number): void {
  const subject = new BehaviorSubject<{ counter: number }>({ counter: 0 });
  let sink = 0;
  for (let i = 0; i < OBSERVERS; i++) subject.subscribe((v) => (sink += v.counter));
  for (let i = 0; i < n; i++) subject.next({ counter: i });
  if (sink < 0) throw new Error("unreachable");
}

function hakubanRun(n: number): void {
  const node = new LocalNode();
  const expose = node.object(["bench"], "counter").expose<{ counter: number }>();
  let sink = 0;
  for (let i = 0; i < OBSERVERS; i++) node.object(["bench"], "counter").observe<{ counter: number }>().onChange((s) => (sink += s!.data.counter));
  for (let i = 0; i < n; i++) expose.set({ counter: i });
  void node.close();
  if (sink < 0) throw new Error("unreachable");
}

function heapUsed(): number {
  globalThis.gc?.();
  globalThis.gc?.();
  return process.memoryUsage().heapUsed;
}

async function memoryPerIdleObject(count: number): Promise<number> {
  const node = new LocalNode();
  const keep: unknown[] = [];
  const before = heapUsed();
  for (let i = 0; i < count; i++) {
    const descriptor = { id: i };
    const expose = node.object(["room"], descriptor).expose<number>();
    const observe = node.object(["room"], descriptor).observe<number>();
    expose.set(i);
    keep.push(expose, observe);
  }
  const after = heapUsed();
  await node.close();
  return (after - before) / count;
}

/** Objects under one tag, served by one tag exposer and followed by one tag observer. */
async function memoryPerTagObject(count: number): Promise<number> {
  const node = new LocalNode();
  const exposer = node.tag("room").expose<number>();
  const observer = node.tag("room").observe<number>();
  const keep: unknown[] = [exposer, observer];
  const before = heapUsed();
  for (let i = 0; i < count; i++) {
    // The object exists while something references it: a (cheap) observe contract per object here.
    const observe = node.object(["room"], { id: i }).observe<number>();
    exposer.set(observe.descriptor, i);
    keep.push(observe);
  }
  const after = heapUsed();
  await node.close();
  return (after - before) / count;
}

async function memoryOfDataOnly(count: number): Promise<number> {
  const keep: unknown[] = [];
  const before = heapUsed();
  for (let i = 0; i < count; i++) keep.push({ id: i }, i);
  const after = heapUsed();
  return (after - before) / count;
}

const scenario: BenchScenario = {
  name: "local delivery (one node)",
  async run(progress) {
    ({ LocalNode } = await loadHakuban(await libraryEntry()));
    const n = 200_000;
    progress(`expose.set → ${OBSERVERS} observers, against BehaviorSubject.next → ${OBSERVERS} subscribers`);
    const paired = pairedRates(hakubanRun, subjectRun, n);
    if (!globalThis.gc) progress("run with node --expose-gc for exact memory figures (npm run bench does)");
    progress("memory of 20,000 idle observed objects");
    const perObject = await memoryPerIdleObject(20_000);
    const dataOnly = await memoryOfDataOnly(20_000);
    const perTagObject = await memoryPerTagObject(20_000);
    const results: BenchResult[] = [
      {
        name: `local set→observer (${OBSERVERS} observers)`,
        value: paired.a,
        unit: "sets/s",
        baseline: { name: "BehaviorSubject.next", value: paired.b },
        ratio: paired.ratio,
        notes: "median of 9 alternating rounds",
        goal: { of: "ratio", is: ">=", bound: 0.5 },
      },
      {
        name: "memory per idle observed object",
        value: perObject - dataOnly,
        unit: "B beyond data",
        baseline: { name: "descriptor json + data alone", value: dataOnly },
        goal: { of: "value", is: "<", bound: 1024 },
        notes: "one expose + one observe contract per object, one tag",
      },
      {
        name: "memory per observed object under a tag exposer",
        value: perTagObject - dataOnly,
        unit: "B beyond data",
        baseline: { name: "descriptor json + data alone", value: dataOnly },
        goal: { of: "value", is: "<", bound: 1024 },
        notes: "one tag exposer and one tag observer for all; one observe contract per object",
      },
    ];
    return results;
  },
};
export default scenario;
