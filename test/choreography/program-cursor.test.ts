import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { loop, message, par, project, schema, send, seq } from "../../lib/choreography/index.js";
import {
  advance,
  describeLane,
  describePending,
  laneFinished,
  mayEnd,
  nextState,
  NOT_PERMITTED,
  OFF_TURN,
  startPosition,
  stateOf,
} from "../../lib/choreography/program-cursor.js";
import { END, FORK, RECV, RoleProgram, SEND } from "../../lib/choreography/role-program.js";
import { downProgram, upProgram } from "../../lib/sync/protocol.js";
import { link } from "./fixtures.js";

const any = schema((u: unknown) => u);
const Open = message("Open", any);
const Item = message("Item", any);
const Done = message("Done", any);
const Ack = message("Ack", any);
const Close = message("Close", any);

/** Open; then, in parallel, P streams Items until Done while Q acks; then Close. */
const streaming = seq(
  send("P", "Q", Open),
  par({ items: seq(loop("P", send("P", "Q", Item)), send("P", "Q", Done)), acks: send("Q", "P", Ack) }),
  send("P", "Q", Close),
);

function label(program: RoleProgram, name: string): number {
  return program.catalog.ids.get(name)!;
}

/** Steps `position` by `name` in `direction` on `lane`, expecting the step to be permitted. */
function step(program: RoleProgram, position: number[], direction: typeof SEND | typeof RECV, lane: number, name: string): boolean {
  const next = nextState(program, position, 0, direction, lane, label(program, name));
  expect(next, `${program.role} ${direction === SEND ? "sends" : "receives"} ${name} on lane ${lane}`).toBeGreaterThanOrEqual(0);
  return advance(program, position, 0, lane, next);
}

describe("the program cursor on a declared protocol", () => {
  const p = project(streaming, "P");

  it("starts with lane 0 at its first step and the par's lanes not started", () => {
    const position: number[] = [];
    expect(startPosition(p, position, 0)).toBe(false);
    expect(position).toHaveLength(3);
    expect(p.kinds[stateOf(position, 0, 0)]).toBe(SEND);
    expect(stateOf(position, 0, 1)).toBe(-1);
    expect(stateOf(position, 0, 2)).toBe(-1);
    expect(describeLane(p, position, 0, 1)).toBe("that lane has not started (its par has not been reached)");
    expect(nextState(p, position, 0, SEND, 1, label(p, "Item"))).toBe(OFF_TURN);
  });

  it("tells a step of the other direction from a label the step does not permit", () => {
    const position: number[] = [];
    startPosition(p, position, 0);
    expect(nextState(p, position, 0, RECV, 0, label(p, "Open"))).toBe(OFF_TURN);
    expect(nextState(p, position, 0, SEND, 0, label(p, "Close"))).toBe(NOT_PERMITTED);
    expect(nextState(p, position, 0, SEND, 0, label(p, "Open"))).toBeGreaterThanOrEqual(0);
  });

  it("starts a fork's lanes, joins them once all ended, and completes at the end", () => {
    const position: number[] = [];
    startPosition(p, position, 0);
    expect(step(p, position, SEND, 0, "Open")).toBe(false);
    expect(p.kinds[stateOf(position, 0, 0)]).toBe(FORK);
    expect(describeLane(p, position, 0, 0)).toMatch(/^that lane waits for its parallel lanes to finish/);
    const items = p.laneId("items");
    const acks = p.laneId("acks");
    expect(p.kinds[stateOf(position, 0, items)]).toBe(SEND);
    expect(p.kinds[stateOf(position, 0, acks)]).toBe(RECV);
    expect(step(p, position, SEND, items, "Item")).toBe(false);
    expect(step(p, position, SEND, items, "Item")).toBe(false);
    expect(step(p, position, SEND, items, "Done")).toBe(false);
    expect(laneFinished(p, position, 0, items)).toBe(true);
    expect(describeLane(p, position, 0, items)).toBe("that lane has finished");
    // One lane ended, the other has not: the par has not joined.
    expect(p.kinds[stateOf(position, 0, 0)]).toBe(FORK);
    expect(mayEnd(p, position, 0)).toBe(false);
    expect(describePending(p, position, 0)).toMatch(/^lane 2 "acks" expects to receive Ack at /);
    expect(step(p, position, RECV, acks, "Ack")).toBe(false);
    expect(p.kinds[stateOf(position, 0, 0)]).toBe(SEND);
    expect(nextState(p, position, 0, SEND, 0, label(p, "Close"))).toBeGreaterThanOrEqual(0);
    expect(step(p, position, SEND, 0, "Close")).toBe(true);
    expect(p.kinds[stateOf(position, 0, 0)]).toBe(END);
    expect(mayEnd(p, position, 0)).toBe(true);
    expect(describePending(p, position, 0)).toBe("");
  });

  it("lets a session end at a loop that nothing follows, and not in the middle of a step sequence", () => {
    const Tick = message("Tick", any);
    const Hello = message("Hello", any);
    const q = project(seq(send("P", "Q", Hello), loop("P", send("P", "Q", Tick))), "Q");
    const position: number[] = [];
    startPosition(q, position, 0);
    expect(mayEnd(q, position, 0)).toBe(false);
    expect(describePending(q, position, 0)).toMatch(/^lane 0 expects to receive Hello at /);
    step(q, position, RECV, 0, "Hello");
    expect(mayEnd(q, position, 0)).toBe(true);
    step(q, position, RECV, 0, "Tick");
    expect(mayEnd(q, position, 0)).toBe(true);
  });
});

/**
 * A hand-built program in which a par's first lane ends as soon as it starts (projection leaves such
 * lanes out, but the cursor must not rely on it): B receives Go (run the par again) or Stop; the par's
 * lane 1 is empty and lane 2 receives M.
 */
function emptyLaneProgram(): RoleProgram {
  const Go = message("Go", any);
  const M = message("M", any);
  const Stop = message("Stop", any);
  const catalog = project(seq(send("A", "B", Go), send("A", "B", M), send("A", "B", Stop)), "B").catalog;
  const [go, m, stop] = [catalog.ids.get("Go")!, catalog.ids.get("M")!, catalog.ids.get("Stop")!];
  const labels = catalog.specs.length;
  const next = new Int32Array(6 * labels).fill(-1);
  next[0 * labels + go] = 2;
  next[0 * labels + stop] = 1;
  next[4 * labels + m] = 5;
  const lanes = [
    { id: 0, name: undefined, parent: -1, receives: [go, stop] },
    { id: 1, name: undefined, parent: 0, receives: [] },
    { id: 2, name: undefined, parent: 0, receives: [m] },
  ];
  return new RoleProgram(
    "B",
    "main",
    "",
    catalog,
    0,
    Uint8Array.from([RECV, END, FORK, END, RECV, END]),
    Int32Array.from([0, 0, 0, 1, 2, 2]),
    Uint8Array.from([0, 1, 0, 0, 0, 0]),
    next,
    ["loop", "end", "par", "end of lane 1", "M", "end of lane 2"],
    [undefined, undefined, { lanes: [1, 2], starts: [3, 4], next: 0 }, undefined, undefined, undefined],
    [],
    lanes,
    ["A"],
    new Map(),
  );
}

describe("the program cursor at a par whose lane ends as soon as it starts", () => {
  it("joins the par only once every lane of this run ended, each time it runs", () => {
    const b = emptyLaneProgram();
    const position: number[] = [];
    startPosition(b, position, 0);
    for (let run = 0; run < 2; run++) {
      expect(step(b, position, RECV, 0, "Go")).toBe(false);
      // Lane 1 ended at once; lane 2 has not received M, in this run, so the par has not joined.
      expect(laneFinished(b, position, 0, 1)).toBe(true);
      expect(b.kinds[stateOf(position, 0, 0)]).toBe(FORK);
      expect(nextState(b, position, 0, RECV, 0, label(b, "Go"))).toBe(OFF_TURN);
      expect(step(b, position, RECV, 2, "M")).toBe(false);
      expect(stateOf(position, 0, 0)).toBe(0);
    }
    expect(step(b, position, RECV, 0, "Stop")).toBe(true);
  });
});

/** Pairs of role programs of one binary protocol (one role's program and its peer's). */
const pairs: [string, RoleProgram, RoleProgram][] = [];
function addPair(name: string, a: RoleProgram, b: RoleProgram): void {
  pairs.push([name, a, b]);
  for (const [family, program] of a.families) pairs.push([`${name}, family ${family}`, program, b.families.get(family)!]);
}
addPair("the test link", project(link, "Down"), project(link, "Up"));
addPair("the hakuban link protocol", downProgram, upProgram);
addPair("a streaming par", project(streaming, "P"), project(streaming, "Q"));

/** Every message some lane of `sender` may send now: [lane, label]. */
/** A position kept as a session table keeps it: cells of a shared Int32Array from a base. */
interface Row {
  readonly cells: Int32Array;
  readonly base: number;
}

function sendable(sender: RoleProgram, at: Row): [number, number][] {
  const out: [number, number][] = [];
  for (let lane = 0; lane < sender.lanes.length; lane++) {
    for (let l = 0; l < sender.labelCount; l++) if (nextState(sender, at.cells, at.base, SEND, lane, l) >= 0) out.push([lane, l]);
  }
  return out;
}

describe("the program cursor over the projected programs of a protocol's two roles", () => {
  for (const [name, a, b] of pairs) {
    it(`keeps ${name}'s two roles in step on random runs: what one may send the other may receive, and they complete together`, () => {
      fc.assert(
        fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 60 }), (choices) => {
          // Both roles' positions in one table, one after the other, between cells no step may touch.
          const cells = new Int32Array(a.lanes.length + b.lanes.length + 3).fill(77);
          const pa: Row = { cells, base: 1 };
          const pb: Row = { cells, base: a.lanes.length + 2 };
          let done = startPosition(a, cells, pa.base);
          expect(startPosition(b, cells, pb.base)).toBe(done);
          for (const choice of choices) {
            if (done) break;
            const moves = [
              ...sendable(a, pa).map(([lane, l]) => [a, pa, b, pb, lane, l] as const),
              ...sendable(b, pb).map(([lane, l]) => [b, pb, a, pa, lane, l] as const),
            ];
            // Progress: a running session always has a message some role may send.
            expect(moves.length).toBeGreaterThan(0);
            const [sender, ps, receiver, pr, lane, l] = moves[choice % moves.length]!;
            expect(nextState(sender, cells, ps.base, RECV, lane, l)).toBe(OFF_TURN);
            const received = nextState(receiver, cells, pr.base, RECV, lane, l);
            expect(received).toBeGreaterThanOrEqual(0);
            expect(nextState(receiver, cells, pr.base, SEND, lane, l)).toBe(OFF_TURN);
            const sentDone = advance(sender, cells, ps.base, lane, nextState(sender, cells, ps.base, SEND, lane, l));
            const receivedDone = advance(receiver, cells, pr.base, lane, received);
            expect(receivedDone).toBe(sentDone);
            done = sentDone;
            // Every started lane's state belongs to that lane; both sides agree on where the session may end.
            for (const [program, at] of [
              [a, pa],
              [b, pb],
            ] as const) {
              for (let x = 0; x < program.lanes.length; x++) {
                const s = stateOf(cells, at.base, x);
                if (s >= 0) expect(program.laneOf[s]).toBe(x);
              }
            }
            expect(mayEnd(a, cells, pa.base)).toBe(mayEnd(b, cells, pb.base));
            expect([cells[0], cells[a.lanes.length + 1], cells[cells.length - 1]]).toEqual([77, 77, 77]);
          }
          if (done) {
            expect(mayEnd(a, cells, pa.base)).toBe(true);
            expect(sendable(a, pa)).toEqual([]);
            expect(sendable(b, pb)).toEqual([]);
          }
        }),
        { numRuns: 200, seed: 14 },
      );
    });
  }
});
