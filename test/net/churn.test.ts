import { filter, firstValueFrom } from "rxjs";
import { afterEach, expect, it } from "vitest";
import { LocalNode, type ObjectObserve, type Upstream, connect, listen } from "../../lib/node-entry.js";

// Objects that observers create and drop leave nothing behind anywhere in the tree: not on the router,
// not on the observer's node, and not on the node of the tag exposer that was asked for them (its
// exchange and the values it set). Real WebSockets on 127.0.0.1.

const OBJECTS = 1000;
const nodes: LocalNode[] = [];
afterEach(async () => {
  for (const node of nodes.splice(0).reverse()) await node.close();
});

function node(name: string): LocalNode {
  const made = new LocalNode({ name });
  nodes.push(made);
  return made;
}

async function connected(upstream: Upstream): Promise<void> {
  await firstValueFrom(upstream.status$.pipe(filter((status) => status === "connected")));
}

/** Resolves once `condition()` holds, checking after each turn of the event loop (rejects after 10 s). */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`still waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

it("observers that come and go leave every node of the tree at its baseline, the exposer's values included", async () => {
  const router = node("router");
  const exposerNode = node("exposer");
  const observerNode = node("observer");
  const { url } = await listen(router, { port: 0 });
  await connected(connect(exposerNode, url));
  await connected(connect(observerNode, url));

  // The exposer sets each object it is asked for, and only those.
  const exposer = exposerNode.tag("churn").expose<{ n: number }>();
  exposer.onAssignment(({ descriptor, assigned }) => {
    if (assigned) exposer.set(descriptor, { n: (descriptor.json as { n: number }).n });
  });
  await until(() => router.exchange.tags.size === 1, "the router to learn of the tag exposer");
  const all = [router, exposerNode, observerNode];
  const baseline = all.map((each) => each.stats());
  expect(baseline[1]).toEqual({ objects: 0, tags: 1, contracts: 1, subscriptions: 1, exposedValues: 0 });

  for (let round = 1; round <= 2; round++) {
    const observers: ObjectObserve<{ n: number }>[] = [];
    for (let n = 0; n < OBJECTS; n++) observers.push(observerNode.object(["churn"], { n }).observe<{ n: number }>());
    await until(() => observers.every((observer, n) => observer.data?.n === n), `round ${round}: every object's data`);
    expect(exposerNode.stats()).toMatchObject({ objects: OBJECTS, exposedValues: OBJECTS });
    expect(router.stats().objects).toBe(OBJECTS);

    for (const observer of observers) observer.terminate();
    const now = (): string => JSON.stringify(all.map((each) => each.stats()));
    await until(() => now() === JSON.stringify(baseline), `round ${round}: every node back at its baseline`).catch(() => {});
    expect(all.map((each) => each.stats())).toEqual(baseline); // says which count stayed, if one did
  }
});

it("a tag exposer that stops while its objects are still observed leaves its node with none of them", async () => {
  const router = node("router");
  const exposerNode = node("exposer");
  const observerNode = node("observer");
  const { url } = await listen(router, { port: 0 });
  await connected(connect(exposerNode, url));
  await connected(connect(observerNode, url));
  const exposer = exposerNode.tag("churn").expose<number>();
  exposer.onAssignment(({ descriptor, assigned }) => {
    if (assigned) exposer.set(descriptor, 1);
  });
  const observers = Array.from({ length: 50 }, (_, n) => observerNode.object(["churn"], { n }).observe<number>());
  await until(() => observers.every((observer) => observer.data === 1), "every object's data");
  expect(exposerNode.stats()).toMatchObject({ objects: 50, exposedValues: 50 });

  exposer.terminate(); // the objects live on at the router and the observer, no longer served from here
  await until(() => exposerNode.stats().objects === 0, "the exposer's node to let go").catch(() => {});
  expect(exposerNode.stats()).toEqual({ objects: 0, tags: 0, contracts: 0, subscriptions: 0, exposedValues: 0 });
  expect(router.stats().objects).toBe(50);
  // The observers hear of it over their own connection, maybe after the exposer's node let go.
  const unserved = () => observers.every((observer) => observer.state?.synchronized === false);
  await until(unserved, "the observers to hear that nothing serves the objects").catch(() => {});
  expect(unserved(), "every observer told that nothing serves its object").toBe(true);
});
