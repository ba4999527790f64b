/**
 * Chaos on an in-memory tree of five nodes: random contracts and values while links are cut and
 * restored, delayed, paused, dropped half-open (in one direction or both, so a keep-alive has to find
 * the silence) and fed a message the binding refuses (which closes the connection). Connections that
 * end on their own reconnect, as a reconnecting connector would. Once the faults stop, every observed
 * object must have exactly one exposer and every observer its newest state.
 *
 * Runs are seeded: a failure prints its seed and path; replay it with CHAOS_SEED=<seed> and
 * CHAOS_PATH=<path> (CHAOS_RUNS sets the number of runs).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LocalNode, ObjectDescriptor, type ObjectExpose, type ObjectObserve, type TagExpose, type TagObserve } from "../../lib/index.js";
import type { MemoryDirection, MemoryLink } from "../../transports/memory-carrier.js";
import { link, settle, type TestLink } from "./tree-fixture.js";

const OBJECTS = [new ObjectDescriptor(["t"], "a"), new ObjectDescriptor(["t"], "b"), new ObjectDescriptor([], "c")];
const NODE_COUNT = 5; // root; mid under root; leaves 2, 3 under mid; leaf 4 under root
const LINKS: Array<[parent: number, child: number]> = [
  [0, 1],
  [1, 2],
  [1, 3],
  [0, 4],
];

type Contract =
  | { kind: "observe"; node: number; object: number; c: ObjectObserve<number> }
  | { kind: "expose"; node: number; object: number; c: ObjectExpose<number> }
  | { kind: "tagObserve"; node: number; c: TagObserve<number> }
  | { kind: "tagExpose"; node: number; c: TagExpose<number> };

/** Keep-alive of every link: a half-open connection is found within ~100 ms; a healthy one pings every 10 ms. */
const KEEP_ALIVE = { keepAliveMs: 10, deadAfterMs: 100 };
/** How long the tree may take to heal and converge once the faults stop, however loaded the machine. */
const CONVERGE_MS = 5_000;
/**
 * A message no framing version can read (a flags byte with unknown bits): corruption the binding
 * detects, as TLS or a checksum would. An undetected flip inside a value or a version cannot be told
 * from what the peer meant, and the protocol carries no checksum of its own.
 */
const REFUSED_MESSAGE = Uint8Array.of(0xff);

const direction = fc.constantFrom<MemoryDirection | undefined>("aToB", "bToA", undefined);

const step = fc.oneof(
  { weight: 3, arbitrary: fc.record({ t: fc.constant("observe" as const), node: fc.nat(NODE_COUNT - 1), object: fc.nat(OBJECTS.length - 1) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant("expose" as const), node: fc.nat(NODE_COUNT - 1), object: fc.nat(OBJECTS.length - 1) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("tagObserve" as const), node: fc.nat(NODE_COUNT - 1) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("tagExpose" as const), node: fc.nat(NODE_COUNT - 1) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("terminate" as const), i: fc.nat(100) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant("set" as const), i: fc.nat(100), v: fc.integer({ min: 0, max: 1000 }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("cut" as const), link: fc.nat(LINKS.length - 1) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("restore" as const), link: fc.nat(LINKS.length - 1) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("settle" as const), rounds: fc.integer({ min: 1, max: 8 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("delay" as const), link: fc.nat(LINKS.length - 1), ms: fc.integer({ min: 0, max: 15 }), direction }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("pause" as const), link: fc.nat(LINKS.length - 1), direction }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("resume" as const), link: fc.nat(LINKS.length - 1) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("drop" as const), link: fc.nat(LINKS.length - 1), direction }) },
  {
    weight: 1,
    arbitrary: fc.record({ t: fc.constant("corrupt" as const), link: fc.nat(LINKS.length - 1), direction: fc.constantFrom<MemoryDirection>("aToB", "bToA") }),
  },
);

/** Turns of the event loop until `condition` holds; throws naming `what` once CONVERGE_MS have passed. */
async function until(condition: () => boolean, what: () => string): Promise<void> {
  const deadline = Date.now() + CONVERGE_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`after the faults stopped, ${what()} within ${CONVERGE_MS} ms`);
    await new Promise<void>((resolve) => setTimeout(resolve, 1));
  }
}

/** Makes the next message sent `way` on `memory` one the binding refuses. */
function corruptNext(memory: MemoryLink, way: MemoryDirection): void {
  let done = false;
  memory.faults.corrupt((_bytes, sentWay) => {
    if (done || sentWay !== way) return undefined;
    done = true;
    return REFUSED_MESSAGE.slice();
  });
}

describe("chaos on an in-memory tree", () => {
  it("after the faults stop, every observed object has exactly one exposer and every observer the newest state", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 5, maxLength: 40 }), async (steps) => {
        const nodes = Array.from({ length: NODE_COUNT }, (_, i) => new LocalNode({ name: `n${i}` }));
        const links: TestLink[] = LINKS.map(([parent, child]) => link(nodes[parent]!, nodes[child]!, KEEP_ALIVE, { reconnect: true }));
        /** Connections dropped half-open: a keep-alive has to end them before the tree can heal. */
        const dropped = new Set<MemoryLink>();
        const contracts: Contract[] = [];
        try {
          for (const s of steps) {
            switch (s.t) {
              case "observe":
                contracts.push({ kind: "observe", node: s.node, object: s.object, c: nodes[s.node]!.object(OBJECTS[s.object]!).observe<number>() });
                break;
              case "expose":
                contracts.push({ kind: "expose", node: s.node, object: s.object, c: nodes[s.node]!.object(OBJECTS[s.object]!).expose<number>() });
                break;
              case "tagObserve":
                contracts.push({ kind: "tagObserve", node: s.node, c: nodes[s.node]!.tag("t").observe<number>() });
                break;
              case "tagExpose":
                contracts.push({ kind: "tagExpose", node: s.node, c: nodes[s.node]!.tag("t").expose<number>() });
                break;
              case "terminate":
                if (contracts.length > 0) contracts.splice(s.i % contracts.length, 1)[0]!.c.terminate();
                break;
              case "set": {
                const exposers = contracts.filter((c) => c.kind === "expose" || c.kind === "tagExpose");
                const e = exposers[s.i % Math.max(1, exposers.length)];
                if (e?.kind === "expose") e.c.set(s.v);
                else if (e?.kind === "tagExpose") for (const d of e.c.assigned) e.c.set(d, s.v);
                break;
              }
              case "cut":
                if (links[s.link]!.up) await links[s.link]!.cut();
                break;
              case "restore":
                if (!links[s.link]!.up) links[s.link]!.connect();
                break;
              case "settle":
                await settle(s.rounds);
                break;
              case "delay":
                links[s.link]!.memory!.faults.delay(s.ms, s.direction);
                break;
              case "pause":
                links[s.link]!.memory!.faults.pause(s.direction);
                break;
              case "resume":
                links[s.link]!.memory!.faults.resume();
                break;
              case "drop":
                links[s.link]!.memory!.faults.drop(s.direction);
                dropped.add(links[s.link]!.memory!);
                break;
              case "corrupt":
                corruptNext(links[s.link]!.memory!, s.direction);
                break;
            }
          }
          // The faults stop: cut links come back, the network is clean again, and the tree heals (a
          // keep-alive ends each half-open connection, which then reconnects).
          for (const l of links) {
            if (!l.up) l.connect();
            const { faults } = l.memory!;
            faults.corrupt(undefined);
            faults.delay(0);
            faults.resume();
          }
          const healed = (l: TestLink) => l.upstream.connected && !dropped.has(l.memory!) && l.openDownstreams.size === 1;
          await until(
            () => links.every(healed),
            () =>
              `links did not heal: ${links
                .filter((l) => !healed(l))
                .map((l) => `${l.child.name} (in sync: ${l.upstream.connected}, half-open: ${dropped.has(l.memory!)}, parent ends: ${l.openDownstreams.size}, ended: ${l.results.map(String).join(", ")})`)
                .join("; ")}`,
          );
          await settle(60);
          // Every assigned exposer publishes a final value, so "newest" is well defined.
          const finals = new Map<string, number>();
          for (const [index, c] of contracts.entries()) {
            if (c.kind === "expose" && c.c.assigned) {
              c.c.set(5000 + index);
              finals.set(c.c.descriptor.key, 5000 + index);
            } else if (c.kind === "tagExpose") {
              for (const d of c.c.assigned) {
                c.c.set(d, 7000 + index);
                finals.set(d.key, 7000 + index);
              }
            }
          }
          /** What still differs from the property: one exposer per observed object, observers at the newest state. */
          const mismatches = (): string[] => {
            const found: string[] = [];
            for (const object of OBJECTS) {
              const observed = contracts.some(
                (c) => (c.kind === "observe" && OBJECTS[c.object] === object) || (c.kind === "tagObserve" && object.hasTag(c.c.descriptor)),
              );
              const candidates = contracts.filter(
                (c) => (c.kind === "expose" && OBJECTS[c.object] === object) || (c.kind === "tagExpose" && object.hasTag(c.c.descriptor)),
              );
              const assigned = candidates.filter((c) =>
                c.kind === "expose" ? c.c.assigned : c.kind === "tagExpose" && c.c.assigned.some((d) => d.equals(object)),
              );
              // An object exists while some object contract references it (tag contracts do not create objects).
              const exists = contracts.some((c) => (c.kind === "observe" || c.kind === "expose") && OBJECTS[c.object] === object);
              const exposers = exists && observed && candidates.length > 0 ? 1 : 0;
              if (assigned.length !== exposers) found.push(`${object} has ${assigned.length} exposers, not ${exposers}`);
              const final = finals.get(object.key);
              if (final === undefined) continue;
              for (const c of contracts) {
                const state =
                  c.kind === "observe" && OBJECTS[c.object] === object
                    ? c.c.state
                    : c.kind === "tagObserve" && object.hasTag(c.c.descriptor)
                      ? c.c.objects.get(object.key)?.state
                      : "not an observer";
                if (state === "not an observer") continue;
                if (state?.data !== final || state.synchronized !== true) {
                  found.push(`${c.kind} of ${object} on n${c.node} has ${JSON.stringify(state)}, not ${final} synchronized`);
                }
              }
            }
            return found;
          };
          await until(
            () => mismatches().length === 0,
            () => `the tree did not converge: ${mismatches().join("; ")}`,
          );
        } finally {
          for (const l of links.reverse()) await l.close();
          for (const n of nodes) await n.close();
        }
      }),
      {
        numRuns: Number(process.env.CHAOS_RUNS ?? 40),
        seed: Number(process.env.CHAOS_SEED ?? 20260815),
        path: process.env.CHAOS_PATH,
        // Shrinking reruns with real keep-alive timers; the seed and path above replay the failure instead.
        endOnFailure: true,
        timeout: 15_000, // a run that does not settle (a livelock) fails instead of hanging
        examples: [
          // A child closed an object's session while an Assign by tag was on its way: the assignment was lost.
          [
            [
              { t: "observe", node: 1, object: 0 },
              { t: "tagExpose", node: 2 },
              { t: "cut", link: 2 },
              { t: "expose", node: 0, object: 1 },
              { t: "restore", link: 0 },
              { t: "observe", node: 0, object: 0 },
              { t: "set", i: 0, v: 0 },
            ],
          ],
          // A send toward a child whose carrier was already cut threw into the exchange and ended the
          // parent's own upstream link: one dead link must never take down another.
          [
            [
              { t: "tagObserve", node: 0 },
              { t: "expose", node: 0, object: 0 },
              { t: "settle", rounds: 1 },
              { t: "tagObserve", node: 2 },
              { t: "cut", link: 2 },
              { t: "cut", link: 1 },
              { t: "terminate", i: 0 },
            ],
          ],
          // A parent's session for a child's tag exposer kept an object alive after its last contract
          // ended (session and announcement kept each other alive): existence must come from contracts.
          [
            [
              { t: "tagObserve", node: 0 },
              { t: "observe", node: 0, object: 0 },
              { t: "tagExpose", node: 1 },
              { t: "settle", rounds: 1 },
              { t: "observe", node: 0, object: 1 },
              { t: "tagExpose", node: 0 },
              { t: "terminate", i: 26 },
              { t: "settle", rounds: 1 },
              { t: "set", i: 0, v: 0 },
            ],
          ],
          // An object went and came back while a child's session for it lasted; the parent's side of the
          // session kept the dead incarnation and never asked the child (the exposer) for the data.
          [
            [
              { t: "tagExpose", node: 1 },
              { t: "observe", node: 0, object: 0 },
              { t: "cut", link: 3 },
              { t: "expose", node: 0, object: 0 },
              { t: "tagObserve", node: 0 },
              { t: "observe", node: 0, object: 1 },
              { t: "expose", node: 4, object: 1 },
              { t: "terminate", i: 31 },
              { t: "settle", rounds: 1 },
              { t: "set", i: 0, v: 0 },
              { t: "restore", link: 0 },
              { t: "terminate", i: 48 },
              { t: "terminate", i: 5 },
            ],
          ],
        ],
      },
    );
  }, 600_000);
});
