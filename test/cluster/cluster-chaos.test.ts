import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { ClusterMember } from "../../lib/cluster/cluster-member.js";
import { LocalNode } from "../../lib/local-node/local-node.js";
import type { ObjectExpose, ObjectObserve } from "../../lib/node-entry.js";
import { RedisServer } from "./redis-server.js";

const OBJECTS = ["x0", "x1"];
const ROOTS = 3;

/** One root of the cluster with an exposer and an observer of every object. */
interface Root {
  readonly node: LocalNode;
  readonly member: ClusterMember;
  readonly exposers: ObjectExpose<string>[];
  readonly observers: ObjectObserve<string>[];
  /** What each exposer set last. */
  readonly values: string[];
  /** Whether an observer of this root, once it held data, was ever shown none. */
  flickered: boolean;
}

let made = 0;

function root(redis: RedisServer): Root {
  const node = new LocalNode({ name: `root${++made}` });
  const member = new ClusterMember(node, { url: redis.url, leaseMs: 300 });
  const made_: Root = {
    node,
    member,
    exposers: OBJECTS.map((json) => node.object(["chaos"], json).expose<string>()),
    observers: OBJECTS.map((json) => node.object(["chaos"], json).observe<string>()),
    values: OBJECTS.map(() => ""),
    flickered: false,
  };
  made_.exposers.forEach((exposer, i) => {
    const value = `${node.name}:${i}:0`;
    made_.values[i] = value;
    exposer.set(value);
  });
  for (const observer of made_.observers) {
    let held = false;
    observer.onChange((state) => {
      if (state !== undefined) held = true;
      else if (held) made_.flickered = true;
    });
  }
  return made_;
}

type Action = { kind: "restart-root"; root: number } | { kind: "crash-holder"; object: number } | { kind: "restart-redis" } | { kind: "set"; root: number; object: number };

const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ kind: fc.constant("restart-root" as const), root: fc.nat(ROOTS - 1) }),
  fc.record({ kind: fc.constant("crash-holder" as const), object: fc.nat(OBJECTS.length - 1) }),
  fc.constant({ kind: "restart-redis" as const }),
  fc.record({ kind: fc.constant("set" as const), root: fc.nat(ROOTS - 1), object: fc.nat(OBJECTS.length - 1) }),
);

describe("a cluster of three roots under roots leaving, crashing and coming back, and Redis restarting", () => {
  it("ends with exactly one exposer per object and every observer at its newest state", { timeout: 60_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 1, maxLength: 6 }), async (actions) => {
        const redis = await RedisServer.start();
        const roots = Array.from({ length: ROOTS }, () => root(redis));
        /** Roots that crashed: their nodes live on cut off from the cluster, as if in a killed process. */
        const crashed: Root[] = [];
        try {
          let step = 0;
          for (const each of actions) {
            step++;
            if (each.kind === "restart-root") {
              await roots[each.root]!.node.close();
              roots[each.root] = root(redis);
            } else if (each.kind === "crash-holder") {
              const holder = await vi.waitFor(
                () => {
                  const assigned = roots.filter((candidate) => candidate.member.inCluster && candidate.exposers[each.object]!.assigned);
                  expect(assigned).toHaveLength(1);
                  return assigned[0]!;
                },
                { timeout: 15_000, interval: 10 },
              );
              holder.member.crash(); // its leases stay in Redis until they expire, then move
              crashed.push(holder);
              roots[roots.indexOf(holder)] = root(redis);
            } else if (each.kind === "restart-redis") {
              await redis.kill();
              await redis.restart();
            } else {
              const target = roots[each.root]!;
              target.values[each.object] = `${target.node.name}:${each.object}:${step}`;
              target.exposers[each.object]!.set(target.values[each.object]!);
            }
          }
          await vi.waitFor(
            () => {
              OBJECTS.forEach((_, i) => {
                const assigned = roots.filter((each) => each.exposers[i]!.assigned);
                expect(assigned).toHaveLength(1);
                const newest = assigned[0]!.values[i];
                for (const each of roots) expect(each.observers[i]!.state).toMatchObject({ data: newest, synchronized: true });
              });
            },
            { timeout: 15_000, interval: 10 },
          );
          expect(roots.some((each) => each.flickered)).toBe(false);
        } finally {
          await Promise.all([...roots, ...crashed].map((each) => each.node.close()));
          await redis.stop();
        }
      }),
      { numRuns: 8, seed: 16, endOnFailure: true },
    );
  });
});
