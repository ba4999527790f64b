/**
 * Tree sync figures: bytes on the wire per update per observer for a one-field change of a 64 KB
 * object, and bytes re-sent on reconnect after ten one-field changes while disconnected, each against
 * the full state's JSON size (the baseline a naive sync would send).
 */
import { LocalNode } from "../lib/index.js";
import { link, settle } from "../test/sync/tree-fixture.js";
import { bytesDown } from "./support/bytes-down.js";
import type { BenchResult, BenchScenario } from "./result.js";

interface Row {
  readonly id: number;
  readonly name: string;
  readonly city: string;
  readonly score: number;
  readonly active: boolean;
}

function bigState(): { rows: Row[] } {
  const rows: Row[] = [];
  for (let id = 0; JSON.stringify(rows).length < 64 * 1024; id++) {
    rows.push({ id, name: `user-${id.toString(36)}-${(id * 7919) % 1000}`, city: ["Kraków", "Lisbon", "Osaka", "Lima"][id % 4]!, score: (id * 37) % 1000, active: id % 3 === 0 });
  }
  return { rows };
}

function changeOne(state: { rows: Row[] }, i: number): { rows: Row[] } {
  const index = (i * 31) % state.rows.length;
  return { rows: state.rows.map((row, j) => (j === index ? { ...row, score: row.score + 1 } : row)) };
}

const scenario: BenchScenario = {
  name: "tree sync bytes",
  async run(progress) {
    const root = new LocalNode({ name: "root" });
    const observers = [1, 2, 3].map((i) => new LocalNode({ name: `observer-${i}` }));
    const wires = observers.map((node) => link(root, node));
    const expose = root.object([], "big").expose<{ rows: Row[] }>();
    const contracts = observers.map((node) => node.object([], "big").observe<{ rows: Row[] }>());
    let state = bigState();
    const full = JSON.stringify(state).length;
    expose.set(state);
    await settle(40);

    progress("one-field changes of a 64 KB object to 3 observers");
    const before = wires.map(bytesDown);
    const updates = 200;
    for (let i = 0; i < updates; i++) {
      state = changeOne(state, i);
      expose.set(state);
      await settle(2);
    }
    await settle(40);
    const perUpdatePerObserver = wires.reduce((sum, wire, i) => sum + bytesDown(wire) - before[i]!, 0) / updates / wires.length;
    for (const c of contracts) if (JSON.stringify(c.data) !== JSON.stringify(state)) throw new Error("an observer did not converge");

    progress("ten changes while one observer is disconnected, then reconnect");
    const wire = wires[0]!;
    await wire.cut();
    for (let i = 0; i < 10; i++) {
      state = changeOne(state, 1000 + i);
      expose.set(state);
    }
    wire.connect();
    await settle(60);
    const resent = bytesDown(wire);
    if (JSON.stringify(contracts[0]!.data) !== JSON.stringify(state)) throw new Error("the reconnected observer did not converge");

    for (const w of wires) await w.close();
    for (const n of [root, ...observers]) await n.close();
    const results: BenchResult[] = [
      {
        name: "bytes per update per observer (64 KB object, one field)",
        value: perUpdatePerObserver,
        unit: "B",
        baseline: { name: "full state JSON", value: full },
        ratio: full / perUpdatePerObserver,
        goal: { of: "ratio", is: ">", bound: 50, says: "< 2% of the full state" },
        notes: `${((100 * perUpdatePerObserver) / full).toFixed(2)}% of the full state, frame and ack overhead included`,
      },
      {
        name: "bytes re-sent on reconnect after 10 changes",
        value: resent,
        unit: "B",
        baseline: { name: "full state JSON", value: full },
        ratio: full / resent,
        goal: { of: "ratio", is: ">", bound: 20, says: "< 5% of the full state" },
        notes: `${((100 * resent) / full).toFixed(2)}% of the full state, handshake included`,
      },
    ];
    return results;
  },
};
export default scenario;
