/**
 * Properties over random runs of the link protocol: honest peers with random interleavings always
 * finish cleanly; a random frame injected at a random moment always ends in typed errors and closed
 * sessions (or, if it happened to be a permitted message, in a run that still ends), never in an
 * uncaught exception, an unhandled rejection or an operation left pending forever.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { collectUnhandledRejections } from "../unhandled-rejections.js";
import { ChoreographyError, createEndpoint, project, type Endpoint } from "../../lib/choreography/index.js";
import { link, objectFamily } from "./fixtures.js";
import { loopbackPair, settle, type Delivery, type LoopbackMux } from "./loopback-mux.js";

const downProgram = project(link, "Down");
const upProgram = project(link, "Up");
const labelCount = downProgram.labelCount;

interface Plan {
  delivery: Delivery;
  interests: ("Interest" | "Observe")[];
  decisions: ("Assign" | "Release")[];
  /** Microtask yields before each action, consumed round-robin by all tasks. */
  yields: number[];
  serveInterests: boolean;
}

interface Injection {
  side: "down" | "up";
  /** Injected after this many honest actions. */
  after: number;
  session: number;
  lane: number;
  label: number;
  payload: unknown;
}

const planArb: fc.Arbitrary<Plan> = fc.record({
  delivery: fc.constantFrom<Delivery>("microtask", "sync"),
  interests: fc.array(fc.constantFrom("Interest" as const, "Observe" as const), { maxLength: 6 }),
  decisions: fc.array(fc.constantFrom("Assign" as const, "Release" as const), { maxLength: 6 }),
  yields: fc.array(fc.nat(3), { minLength: 1, maxLength: 8 }),
  serveInterests: fc.boolean(),
});

const injectionArb: fc.Arbitrary<Injection> = fc.record({
  side: fc.constantFrom("down" as const, "up" as const),
  after: fc.nat(20),
  session: fc.constantFrom(0, 0, 0, 1, 100),
  lane: fc.integer({ min: -1, max: 3 }),
  label: fc.integer({ min: -1, max: labelCount }),
  payload: fc.oneof(fc.anything(), fc.record({ key: fc.string(), session: fc.nat(3), version: fc.nat(), count: fc.nat(), reason: fc.string(), node: fc.string() })),
});

interface Outcome {
  down: Endpoint;
  up: Endpoint;
  a: LoopbackMux;
  b: LoopbackMux;
  errors: unknown[];
  tasks: { name: string; done: boolean }[];
}

async function run(plan: Plan, injection?: Injection): Promise<Outcome> {
  const [a, b] = loopbackPair(plan.delivery);
  const down = createEndpoint(downProgram, a);
  const up = createEndpoint(upProgram, b);
  const errors: unknown[] = [];
  const tasks: { name: string; done: boolean }[] = [];
  let turn = 0;
  let actions = 0;
  const step = async () => {
    for (let i = plan.yields[turn++ % plan.yields.length]!; i > 0; i--) await Promise.resolve();
    if (injection !== undefined && actions++ === injection.after) {
      (injection.side === "down" ? a : b).inject(injection.session, injection.lane, injection.label, injection.payload);
    }
  };
  const task = (name: string, body: () => Promise<void>) => {
    const t = { name, done: false };
    tasks.push(t);
    return body().then(
      () => {
        t.done = true;
      },
      (error: unknown) => {
        t.done = true;
        errors.push(error);
      },
    );
  };
  up.onSession(objectFamily, (sub, announcement) => {
    try {
      sub.send("Missing", { key: announcement.key });
    } catch (error) {
      errors.push(error);
    }
  });

  const downMain = task("down", async () => {
    await step();
    down.send("Hello", { version: 1 });
    await step();
    const answer = await down.offer();
    if (answer.label !== "Welcome") throw new Error(`unexpected ${answer.label}`);
    answer.recv();
    const interests = task("down interests", async () => {
      const lane = down.lane("interests");
      let session = 1;
      for (const label of plan.interests) {
        await step();
        if (label === "Observe") {
          const sub = lane.send("Observe", { session: session++, key: "k" });
          void task("down object", async () => {
            const b = await sub.offer();
            b.recv();
          });
        } else lane.send("Interest", { key: "k" });
      }
      await step();
      lane.send("InterestsDone", { count: plan.interests.length });
    });
    const decisions = task("down decisions", async () => {
      for (;;) {
        const b = await down.lane("decisions").offer();
        b.recv();
        if (b.label === "DecisionsDone") return;
      }
    });
    await Promise.all([interests, decisions]);
    await step();
    down.send("Bye", { reason: "done" });
  });

  const upMain = task("up", async () => {
    await step();
    await up.recv("Hello");
    await step();
    up.send("Welcome", { node: "root" });
    const interests = task("up interests", async () => {
      const lane = up.lane("interests");
      if (plan.serveInterests) {
        await new Promise<void>((resolve) => {
          lane.serve({ Interest: () => {}, Observe: () => {}, InterestsDone: () => resolve() });
          void up.closed.then(() => resolve());
        });
        return;
      }
      for (;;) {
        const b = await lane.offer();
        b.recv();
        if (b.label === "InterestsDone") return;
      }
    });
    const decisions = task("up decisions", async () => {
      const lane = up.lane("decisions");
      for (const label of plan.decisions) {
        await step();
        lane.send(label, { key: "k" });
      }
      await step();
      lane.send("DecisionsDone", { count: plan.decisions.length });
    });
    await Promise.all([interests, decisions]);
    await up.recv("Bye");
  });

  await Promise.race([Promise.all([downMain, upMain]), new Promise((resolve) => setTimeout(resolve, 0))]);
  await settle();
  return { down, up, a, b, errors, tasks };
}

collectUnhandledRejections();

describe("random runs of the link protocol", () => {
  it("honest peers with random interleavings always finish cleanly", async () => {
    await fc.assert(
      fc.asyncProperty(planArb, async (plan) => {
        const { down, up, errors, tasks, a, b } = await run(plan);
        expect(errors).toEqual([]);
        expect([...a.escaped, ...b.escaped]).toEqual([]);
        expect(tasks.filter((t) => !t.done)).toEqual([]);
        expect([down.state, up.state]).toEqual(["done", "done"]);
        expect([a.openSessions(), b.openSessions()]).toEqual([[], []]);
      }),
      { numRuns: 120, seed: 20261121 },
    );
  });

  it("a random injected frame ends in typed errors and closed sessions, never an uncaught exception", async () => {
    let faulted = 0;
    await fc.assert(
      fc.asyncProperty(planArb, injectionArb, async (plan, injection) => {
        const { down, up, errors, tasks, a, b } = await run(plan, injection);
        expect([...a.escaped, ...b.escaped]).toEqual([]);
        for (const error of errors) expect(error).toBeInstanceOf(ChoreographyError);
        for (const ep of [down, up]) {
          expect(ep.state).not.toBe("open");
          if (ep.state === "faulted") {
            faulted++;
            expect(ep.fault).toBeInstanceOf(ChoreographyError);
          }
        }
        expect(a.openSessions().includes(0) || b.openSessions().includes(0)).toBe(false);
        // Nothing is left waiting forever: every operation was answered or rejected.
        expect(tasks.filter((t) => !t.done).map((t) => t.name)).toEqual([]);
      }),
      { numRuns: 300, seed: 20261122 },
    );
    expect(faulted).toBeGreaterThan(100);
  });
});
