import { afterEach } from "vitest";
import { LocalNode, type LocalNodeOptions } from "../lib/local-node/local-node.js";

/** What a test file hands over to be undone at the end of each test. */
export interface TestCleanup {
  /** Runs `step` once the current test ends; steps run one at a time, the last deferred first. */
  readonly defer: (step: () => unknown) => void;
  /** A LocalNode named `name`, closed once the current test ends. */
  readonly node: (name: string, options?: Omit<LocalNodeOptions, "name">) => LocalNode;
}

/** Registers an afterEach in the calling test file that runs the steps deferred during each test. */
export function cleanupAfterEach(): TestCleanup {
  const steps: Array<() => unknown> = [];
  afterEach(async () => {
    for (const step of steps.splice(0).reverse()) await step();
  });
  const defer = (step: () => unknown): void => void steps.push(step);
  const node = (name: string, options: Omit<LocalNodeOptions, "name"> = {}): LocalNode => {
    const made = new LocalNode({ ...options, name });
    defer(() => made.close());
    return made;
  };
  return { defer, node };
}
