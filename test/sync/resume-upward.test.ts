import { afterEach, describe, expect, it } from "vitest";
import { LocalNode } from "../../lib/index.js";
import { link, nodes, settle, type TestLink } from "./tree-fixture.js";

let open: Array<LocalNode | TestLink> = [];
afterEach(async () => {
  for (const thing of open.reverse()) await thing.close();
  open = [];
});

describe("child to parent resume", () => {
  it("after a reconnect, a leaf exposer's changes made while disconnected go up as a diff against what the parent holds", async () => {
    const [root, leaf] = nodes("root", "leaf") as LocalNode[];
    const wire = link(root!, leaf!);
    open.push(root!, leaf!, wire);
    const big = { rows: Array.from({ length: 500 }, (_, i) => ({ id: i, name: `row number ${i}`, value: i * 3 })) };
    const expose = leaf!.object([], "up").expose<typeof big>();
    const observe = root!.object([], "up").observe<typeof big>();
    expose.set(big);
    await settle();
    expect(observe.data).toEqual(big);
    await wire.cut();
    let data = big;
    for (let i = 0; i < 10; i++) {
      data = { rows: data.rows.map((row, j) => (j === i ? { ...row, value: -(i + 1) } : row)) };
      expose.set(data);
    }
    wire.connect();
    await settle(40);
    expect(observe.state).toMatchObject({ data, synchronized: true });
    const full = JSON.stringify(big).length;
    const sentUp = wire.memory!.faults.counters.aToB.bytesSent;
    expect(sentUp).toBeLessThan(full * 0.05);
  });
});
