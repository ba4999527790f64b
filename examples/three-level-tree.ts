// Three-level tree: a root router, a mid router linked to it, and a leaf on each. An observer at the
// leaf under the mid router follows an exposer at the leaf under the root: the object's data travels
// leaf -> root -> mid -> leaf, and each node learns only what concerns its subtree. All nodes live in
// one process here, linked by real WebSockets on 127.0.0.1, exactly as separate processes would be.
// Run: npx tsx examples/three-level-tree.ts
import { filter, firstValueFrom } from "rxjs";
import { LocalNode, connect, listen } from "hakuban";

/** Options of `runThreeLevelTree`. */
export interface ThreeLevelTreeOptions {
  /** How many values the exposer publishes (default 3). */
  readonly values?: number;
  readonly log?: (line: string) => void;
}

/** Builds the tree, sends `values` values from one leaf to the other, tears it down; returns the lines printed. */
export async function runThreeLevelTree(options: ThreeLevelTreeOptions = {}): Promise<string[]> {
  const { values = 3 } = options;
  const lines: string[] = [];
  const log = (line: string): void => {
    lines.push(line);
    (options.log ?? console.log)(line);
  };

  const nodes: LocalNode[] = [];
  const node = (name: string): LocalNode => {
    const created = new LocalNode({ name });
    nodes.push(created);
    return created;
  };
  const linkTo = async (child: LocalNode, url: string): Promise<void> => {
    const upstream = connect(child, url);
    await firstValueFrom(upstream.status$.pipe(filter((status) => status === "connected")));
    log(`${child.name} linked to ${url === rootUrl ? "root" : "mid"}`);
  };

  // Level 1: the root router. Level 2: a mid router, child of the root. Level 3: the leaves.
  const root = node("root");
  const rootUrl = (await listen(root, { port: 0 })).url;
  try {
    const mid = node("mid");
    await linkTo(mid, rootUrl);
    const midUrl = (await listen(mid, { port: 0 })).url;
    const leafA = node("leaf-a");
    await linkTo(leafA, rootUrl);
    const leafB = node("leaf-b");
    await linkTo(leafB, midUrl);

    const exposer = leafA.object(["weather"], { city: "Kraków" }).expose<{ reading: number }>();
    exposer.onAssigned((assigned) => log(`leaf-a exposer assigned: ${assigned}`));
    const observer = leafB.object(["weather"], { city: "Kraków" }).observe<{ reading: number }>();

    // Publish each value once the observer has the previous one, so every value is seen (observers
    // see only the latest state: values set faster than they travel may be skipped).
    for (let reading = 1; reading <= values; reading++) {
      exposer.set({ reading });
      const state = await firstValueFrom(observer.state$.pipe(filter((s) => s?.data.reading === reading && s.synchronized)));
      log(`leaf-b sees reading ${state?.data.reading}`);
    }
  } finally {
    for (const each of nodes.reverse()) await each.close(); // leaves first, the root last
    log("tree closed");
  }
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) await runThreeLevelTree();
