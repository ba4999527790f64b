import { describe, expect, it } from "vitest";
import { createEndpoint, loop, message, project, schema, send, seq, TapRing } from "../../lib/choreography/index.js";
import { TAP_FAULT, TAP_SEND } from "../../lib/choreography/tap-ring.js";
import { loopbackPair, settle } from "./loopback-mux.js";

const n = schema((u: unknown) => {
  if (typeof u !== "number") throw new TypeError("not a number");
  return u;
});
const Tick = message("Tick", n);
const Stop = message("Stop", n);
const proto = seq(loop("P", send("P", "Q", Tick)), send("P", "Q", Stop));

describe("tap ring", () => {
  it("keeps the most recent entries up to its capacity, oldest first", () => {
    const ring = new TapRing(3);
    for (let i = 0; i < 5; i++) ring.record(TAP_SEND, 1, 0, "P", `L${i}`);
    expect(ring.recorded).toBe(5);
    const entries = ring.entries();
    expect(entries.map((e) => [e.seq, e.label])).toEqual([
      [2, "L2"],
      [3, "L3"],
      [4, "L4"],
    ]);
    ring.record(TAP_FAULT, 1, -1, "P", "", "LabelMismatch: x");
    expect(ring.entries().map((e) => e.kind)).toEqual(["send", "send", "fault"]);
    expect(ring.format().split("\n")[2]).toMatch(/^#5 \d{4}-\d\d-\d\dT.*Z s1 P fault \(LabelMismatch: x\)$/);
    ring.clear();
    expect(ring.entries()).toEqual([]);
    expect(() => new TapRing(0)).toThrow(RangeError);
  });

  it("records sends, receives, loop decisions and faults with session, lane, role and time", async () => {
    const [a, b] = loopbackPair();
    const tap = new TapRing(64);
    const before = Date.now();
    const p = createEndpoint(project(proto, "P"), a, { tap });
    const q = createEndpoint(project(proto, "Q"), b, { tap });
    p.send("Tick", 1);
    p.send("Stop", 2);
    await settle();
    await q.recv("Tick");
    const rows = tap.entries().map((e) => [e.kind, e.role, e.session, e.lane, e.label, e.detail]);
    expect(rows).toEqual([
      ["send", "P", 0, 0, "Tick", undefined],
      ["send", "P", 0, 0, "Stop", undefined],
      ["route", "P", 0, 0, "Stop", "exit step 1 > loop(P)"],
      ["close", "P", 0, -1, "", "protocol complete"],
      ["recv", "Q", 0, 0, "Tick", undefined],
      ["recv", "Q", 0, 0, "Stop", undefined],
      ["route", "Q", 0, 0, "Stop", "exit step 1 > loop(P)"],
      ["close", "Q", 0, -1, "", "protocol complete"],
    ]);
    expect(tap.entries().every((e) => e.time >= before && e.time <= Date.now())).toBe(true);

    const [c, d] = loopbackPair();
    const q2 = createEndpoint(project(proto, "Q"), d, { tap });
    c.send(0, 0, q2.program.catalog.ids.get("Tick")!, "not a number");
    await settle();
    const last = tap.entries().at(-1)!;
    expect(last.kind).toBe("fault");
    expect(last.detail).toMatch(/^SchemaMismatch: the payload of Tick received on lane 0 of session 0 \(Q\)/);
  });

  it("can be turned off", () => {
    const [a] = loopbackPair();
    expect(createEndpoint(project(proto, "P"), a, { tap: null }).tap).toBeNull();
  });
});
