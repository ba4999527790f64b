/**
 * Policies on a three-level tree, with random grants per link, random contracts and random link cuts:
 * a state only ever travels over links whose principal may have it. Every value an exposer sets names
 * its node, so an observer's every value tells the path it came by: up from the exposer to the nodes'
 * common ancestor (each of those links must grant expose) and down to the observer (each must grant
 * observe). Once the cuts stop, every elected exposer's links up to the root grant it expose.
 * Runs are seeded (TRUST_SEED replays another seed).
 */
import fc from "fast-check";
import { expect, it } from "vitest";
import { LocalNode, ObjectDescriptor, type ObjectExpose } from "../../lib/index.js";
import { parsePolicy } from "../../lib/trust/parse-policy.js";
import type { PolicyRule } from "../../lib/trust/policy.js";
import { link, settle, type TestLink, type TestLinkSettings } from "./tree-fixture.js";

/** root 0; mids 1, 2 under it; leaves 3, 4 under 1 and 5, 6 under 2. */
const PARENT = [-1, 0, 0, 1, 1, 2, 2];
const NODES = PARENT.length;
const OBJECTS = [0, 1, 2].map((n) => new ObjectDescriptor(["t"], { n }));

/** Whether the link of node `child` to its parent grants `access` to object `object`. */
type Grants = Record<"observe" | "expose", boolean[][]>;

const grantsArbitrary = fc.record({
  observe: fc.array(fc.array(fc.boolean(), { minLength: OBJECTS.length, maxLength: OBJECTS.length }), { minLength: NODES, maxLength: NODES }),
  expose: fc.array(fc.array(fc.boolean(), { minLength: OBJECTS.length, maxLength: OBJECTS.length }), { minLength: NODES, maxLength: NODES }),
});

const step = fc.oneof(
  { weight: 3, arbitrary: fc.record({ t: fc.constant("observe" as const), node: fc.nat(NODES - 1), object: fc.nat(OBJECTS.length - 1) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant("expose" as const), node: fc.nat(NODES - 1), object: fc.nat(OBJECTS.length - 1) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("tagObserve" as const), node: fc.nat(NODES - 1) }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant("set" as const), i: fc.nat(100) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("cut" as const), node: fc.integer({ min: 1, max: NODES - 1 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("restore" as const), node: fc.integer({ min: 1, max: NODES - 1 }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant("settle" as const), rounds: fc.integer({ min: 1, max: 6 }) }) },
);

/** The policy every parent holds: one rule per child principal (its node number), granting what `grants` says. */
function policyOf(grants: Grants) {
  const rules: PolicyRule[] = [];
  for (let node = 1; node < NODES; node++) {
    const selectors = (access: "observe" | "expose") =>
      OBJECTS.flatMap((descriptor, object) => (grants[access][node]![object] ? [{ object: descriptor.json }] : []));
    const observe = selectors("observe");
    const expose = selectors("expose");
    rules.push({ principal: { id: String(node) }, ...(observe.length > 0 ? { observe } : {}), ...(expose.length > 0 ? { expose } : {}) });
  }
  return parsePolicy({ rules });
}

/** The nodes from `node` up to the root, `node` first. */
function pathUp(node: number): number[] {
  const path = [node];
  while (PARENT[path.at(-1)!]! >= 0) path.push(PARENT[path.at(-1)!]!);
  return path;
}

/** Why a value exposed at `author` may not have reached `reader`, or undefined when every link it travelled grants it. */
function violation(grants: Grants, object: number, author: number, reader: number): string | undefined {
  const up = pathUp(author);
  const down = pathUp(reader);
  const ancestor = up.find((node) => down.includes(node))!;
  for (const node of up.slice(0, up.indexOf(ancestor))) if (!grants.expose[node]![object]) return `node ${node} may not expose object ${object}`;
  for (const node of down.slice(0, down.indexOf(ancestor))) if (!grants.observe[node]![object]) return `node ${node} may not observe object ${object}`;
  return undefined;
}

it("no state reaches a node over a link that may not observe it, and none comes from a subtree that may not expose it", async () => {
  await fc.assert(
    fc.asyncProperty(grantsArbitrary, fc.array(step, { minLength: 5, maxLength: 30 }), async (grants, steps) => {
      const policy = policyOf(grants);
      const nodes = Array.from({ length: NODES }, (_, n) => new LocalNode({ name: String(n) }));
      for (const node of nodes) node.onError(() => {}); // denials are expected; what they keep out is checked below
      const options: TestLinkSettings = { policy, authenticate: ({ token }) => ({ id: token ?? "" }) };
      const links = new Map<number, TestLink>();
      for (let node = 1; node < NODES; node++) links.set(node, link(nodes[PARENT[node]!]!, nodes[node]!, { ...options, token: String(node) }));
      const seen: Array<{ reader: number; object: number; value: unknown }> = [];
      const exposers: Array<{ node: number; object: number; contract: ObjectExpose<{ author: number; n: number }> }> = [];
      let counter = 0;
      try {
        for (const s of steps) {
          switch (s.t) {
            case "observe": {
              const observer = nodes[s.node]!.object(OBJECTS[s.object]!).observe();
              observer.onChange((state) => seen.push({ reader: s.node, object: s.object, value: state?.data }));
              break;
            }
            case "expose": {
              const contract = nodes[s.node]!.object(OBJECTS[s.object]!).expose<{ author: number; n: number }>();
              contract.set({ author: s.node, n: counter++ });
              exposers.push({ node: s.node, object: s.object, contract });
              break;
            }
            case "tagObserve": {
              const observer = nodes[s.node]!.tag("t").observe();
              observer.onChange(({ descriptor, state }) =>
                seen.push({ reader: s.node, object: OBJECTS.findIndex((o) => o.equals(descriptor)), value: state?.data }),
              );
              break;
            }
            case "set": {
              const exposer = exposers[s.i % Math.max(1, exposers.length)];
              exposer?.contract.set({ author: exposer.node, n: counter++ });
              break;
            }
            case "cut":
              await links.get(s.node)!.cut();
              break;
            case "restore":
              if (!links.get(s.node)!.up) links.get(s.node)!.connect();
              break;
            case "settle":
              await settle(s.rounds);
              break;
          }
        }
        for (const testLink of links.values()) if (!testLink.up) testLink.connect();
        await settle(40);
        for (const { reader, object, value } of seen) {
          if (value === undefined) continue;
          const author = (value as { author: number }).author;
          expect(violation(grants, object, author, reader), `node ${reader} saw object ${object} from node ${author}`).toBeUndefined();
        }
        for (const { node, object, contract } of exposers) {
          if (!contract.assigned || contract.terminated) continue;
          const denied = pathUp(node).slice(0, -1).find((n) => !grants.expose[n]![object]);
          expect(denied, `node ${node} is elected for object ${object}`).toBeUndefined();
        }
      } finally {
        for (const testLink of links.values()) await testLink.close();
        await Promise.all(nodes.map((node) => node.close()));
      }
    }),
    { numRuns: 25, seed: Number(process.env.TRUST_SEED ?? 1414) },
  );
});
