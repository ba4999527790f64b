// Quick start: one process, one node. An exposer publishes a counter; an observer follows it.
// Run: npx tsx examples/quick-start.ts
import { LocalNode } from "hakuban";

export async function quickStart(log: (line: string) => void = console.log): Promise<void> {
  const node = new LocalNode({ name: "quick-start" });

  // Expose an object identified by tags + JSON. It is assigned only while someone observes it.
  const counter = node.object(["demo"], { name: "counter" }).expose<{ value: number }>();
  counter.onAssigned((assigned) => log(`exposer assigned: ${assigned}`));

  // Observe the same object (key order and tag order do not matter for identity).
  const observer = node.object(["demo"], { name: "counter" }).observe<{ value: number }>();
  observer.onChange((state) => log(`observer sees: ${JSON.stringify(state?.data)} synchronized=${state?.synchronized}`));

  for (let value = 1; value <= 3; value++) counter.set({ value });

  // Async iteration: the current state first, then newer ones; ends when the contract terminates.
  const iterator = observer[Symbol.asyncIterator]();
  log(`iterator starts at: ${JSON.stringify((await iterator.next()).value?.data)}`);

  await node.close(); // terminates every contract; every stream completes
  log("closed");
}

if (import.meta.url === `file://${process.argv[1]}`) await quickStart();
