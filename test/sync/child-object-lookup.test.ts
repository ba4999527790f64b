/**
 * How a parent's link finds the child's session of an object: the sessions the exchange lists as an
 * observer or exposer are found through their object's entry, the others through a map of their own.
 * On any sequence of opens, interest changes and closes, with the object's entry coming and going under
 * local contracts and another child's session beside, the link finds exactly the sessions that are
 * open, like a Map of them would, and keeps in its map only those the exchange does not list.
 */
import fc from "fast-check";
import { afterEach, expect, it } from "vitest";
import { LocalNode, ObjectDescriptor } from "../../lib/index.js";
import { HandChild, type HandSession } from "./hand-child.js";
import { settle } from "./tree-fixture.js";

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

const OBJECTS = 3;
type Interest = { readonly observed: boolean; readonly capacity: number };
type Op =
  | { readonly kind: "open" | "interest"; readonly object: number; readonly interest: Interest }
  | { readonly kind: "close" | "observeHere" | "exposeHere"; readonly object: number };

const interest = fc.record({ observed: fc.boolean(), capacity: fc.constantFrom(0, 1) });
const object = fc.integer({ min: 0, max: OBJECTS - 1 });
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constantFrom("open" as const, "interest" as const), object, interest }),
  fc.record({ kind: fc.constantFrom("close" as const, "observeHere" as const, "exposeHere" as const), object }),
);

it("finds exactly the child's open object sessions, whether the exchange lists them or not", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 14 }), async (ops) => {
      const root = new LocalNode({ name: "root" });
      const child = await HandChild.link(root, "hand");
      const other = await HandChild.link(root, "other");
      cleanup.push(() => root.close(), () => child.close(), () => other.close());
      const descriptors = Array.from({ length: OBJECTS }, (_, i) => new ObjectDescriptor([], `object ${i}`));
      other.open(descriptors[0]!, { observed: true, capacity: 1 });
      const open = new Map<number, { session: HandSession; interest: Interest }>();
      const local = new Map<string, { terminate(): void }>();
      for (const step of ops) {
        const descriptor = descriptors[step.object]!;
        const held = open.get(step.object);
        if (step.kind === "open" && held === undefined) open.set(step.object, { session: child.open(descriptor, step.interest), interest: step.interest });
        else if (step.kind === "interest" && held !== undefined) {
          held.session.session.lane("up").send("Interest", step.interest);
          held.interest = step.interest;
        } else if (step.kind === "close" && held !== undefined) {
          held.session.close();
          open.delete(step.object);
        } else if (step.kind === "observeHere" || step.kind === "exposeHere") {
          const name = `${step.kind} ${step.object}`;
          const contract = local.get(name);
          if (contract !== undefined) {
            contract.terminate();
            local.delete(name);
          } else {
            local.set(name, step.kind === "observeHere" ? root.object(descriptor).observe() : root.object(descriptor).expose());
          }
        }
        await settle(4);
        for (let i = 0; i < OBJECTS; i++) expect(child.parent.sessionOf(descriptors[i]!.key) !== undefined, `object ${i}`).toBe(open.has(i));
        const observed = [...open.values()].filter((session) => session.interest.observed).length;
        expect(child.parent.interestCounts().observed).toBe(observed);
        const unlisted = [...open.values()].filter((session) => !session.interest.observed && session.interest.capacity === 0).length;
        expect((child.parent as unknown as { unlisted?: Map<string, unknown> }).unlisted?.size ?? 0).toBe(unlisted);
      }
      for (const step of cleanup.splice(0).reverse()) await step();
    }),
    { numRuns: 25, seed: 14 },
  );
});
