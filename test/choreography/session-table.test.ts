/**
 * The flat session table: each open session is a row of the connection's table holding its cursor, and
 * its Endpoint a handle on the row. Every row is checked step by step on its own, rows of ended sessions
 * are reused without a trace of their former session, and an ended session's handle still answers.
 */
import { describe, expect, it } from "vitest";
import { createEndpoint, family, LabelMismatch, loop, message, PhaseInvariant, project, send, seq, type Endpoint } from "../../lib/choreography/index.js";
import { shape } from "./fixtures.js";
import { loopbackPair, settle } from "./loopback-mux.js";

const Hello = message("Hello", shape<{ n: number }>({ n: "number" }));
const Snapshot = message("Snapshot", shape<{ n: number }>({ n: "number" }));
const Finish = message("Finish", shape<{ n: number }>({ n: "number" }));
/** Each object session: Hello once, then snapshots, then Finish. */
const push = family("push", seq(send("Up", "Down", Hello), loop("Up", send("Up", "Down", Snapshot)), send("Up", "Down", Finish)));
const Publish = message("Publish", shape<{ session: number }>({ session: "number" }), { opens: push, sessionId: (p) => p.session });
const feed = loop("Up", send("Up", "Down", Publish));
const downProgram = project(feed, "Down");
const upProgram = project(feed, "Up");
const snapshot = downProgram.families.get("push")!.catalog.ids.get("Snapshot")!;
const finish = downProgram.families.get("push")!.catalog.ids.get("Finish")!;

/** Both ends, with the down side serving every push session it is announced (and recording what it got). */
function pair() {
  const [a, b] = loopbackPair();
  const down = createEndpoint(downProgram, a);
  const up = createEndpoint(upProgram, b);
  const got: string[] = [];
  const downSessions = new Map<number, Endpoint>();
  down.onSession(push, (session) => {
    downSessions.set(session.session, session as Endpoint);
    session.serve({
      Hello: ({ n }) => got.push(`${session.session} Hello ${n}`),
      Snapshot: ({ n }) => got.push(`${session.session} Snapshot ${n}`),
      Finish: ({ n }) => got.push(`${session.session} Finish ${n}`),
    });
  });
  return { a, b, down, up, got, downSessions };
}

describe("the connection's session table", () => {
  it("keeps each session's cursor in its own row: one session's steps never move another's", async () => {
    const { a, up, got, downSessions } = pair();
    const sessions = Array.from({ length: 12 }, (_, i) => up.send("Publish", { session: i + 1 }));
    // Every other session says Hello; the rest have not started.
    for (let i = 0; i < sessions.length; i += 2) sessions[i]!.send("Hello", { n: i });
    await settle();
    // A Snapshot is in order on a session past its Hello, out of order on one that has not said it.
    a.inject(1, 0, snapshot, { n: 100 });
    a.inject(2, 0, snapshot, { n: 200 });
    await settle();
    expect(got).toContain("1 Snapshot 100");
    expect(got).not.toContain("2 Snapshot 200");
    expect(downSessions.get(2)!.fault).toBeInstanceOf(LabelMismatch);
    expect(downSessions.get(2)!.fault!.message).toMatch(/received Snapshot, but Down is expected to receive Hello/);
    // The others go on.
    expect(downSessions.get(1)!.state).toBe("open");
    expect(downSessions.get(4)!.state).toBe("open");
    expect(a.closed).toBe(false);
  });

  it("lists a session's open sub-sessions with the handlers each lane is served with, and none once they ended", async () => {
    const { up, down, downSessions } = pair();
    const sessions = Array.from({ length: 3 }, (_, i) => up.send("Publish", { session: i + 1 }));
    await settle();
    expect(down.subSessions()).toEqual([...downSessions.values()]);
    expect(up.subSessions()).toEqual(sessions);
    const served = downSessions.get(2)!.lane(0).handlers as Record<string, unknown>;
    expect(Object.keys(served)).toEqual(["Hello", "Snapshot", "Finish"]);
    // Lanes not served: one that only sends, one whose messages wait in its inbox.
    expect(up.lane(0).handlers).toBeUndefined();
    expect(down.lane(0).handlers).toBeUndefined();
    sessions[1]!.send("Hello", { n: 2 });
    sessions[1]!.send("Finish", { n: 2 });
    await settle();
    expect(down.subSessions()).toEqual([downSessions.get(1), downSessions.get(3)]);
    expect(downSessions.get(2)!.subSessions()).toEqual([]);
    up.abort("done");
    await settle();
    expect(down.subSessions()).toEqual([]);
  });

  it("reuses the rows of ended sessions with none of their former state: a new session starts at its first step", async () => {
    const { a, up, got, downSessions } = pair();
    const first = Array.from({ length: 8 }, (_, i) => up.send("Publish", { session: i + 1 }));
    for (const [i, session] of first.entries()) {
      session.send("Hello", { n: i });
      session.send("Snapshot", { n: i });
    }
    await settle();
    // Sessions 1..8 end (their rows are freed), and sessions 9..16 take those rows.
    const rows = first.map((session) => session.row);
    for (const [i, session] of first.entries()) session.send("Finish", { n: i });
    await settle();
    expect([...downSessions.values()].map((s) => s.state)).toEqual(Array(8).fill("done"));
    expect(first.map((session) => session.row)).toEqual(Array(8).fill(-1));
    const second = Array.from({ length: 8 }, (_, i) => up.send("Publish", { session: i + 9 }));
    expect(second.map((session) => session.row).sort()).toEqual([...rows].sort());
    await settle();
    // A row's former session was in its loop (a Snapshot was in order there); the new one is not.
    a.inject(9, 0, snapshot, { n: 900 });
    a.inject(10, 0, finish, { n: 1000 });
    second[2]!.send("Hello", { n: 11 });
    await settle();
    expect(downSessions.get(9)!.fault).toBeInstanceOf(LabelMismatch);
    expect(downSessions.get(10)!.fault).toBeInstanceOf(LabelMismatch);
    expect(downSessions.get(11)!.state).toBe("open");
    expect(got).toContain("11 Hello 11");
    expect(got.filter((line) => line.startsWith("9 ") || line.startsWith("10 "))).toEqual([]);
  });

  it("leaves an ended session's handle answering for its id, program, state and position after its row is reused", async () => {
    const { up, downSessions } = pair();
    const ended = up.send("Publish", { session: 1 });
    ended.send("Hello", { n: 1 });
    await settle();
    ended.abort("enough");
    await settle();
    // Its row is taken by the next session.
    const next = up.send("Publish", { session: 2 });
    await settle();
    expect(ended.session).toBe(1);
    expect(ended.state).toBe("faulted");
    expect(ended.program.role).toBe("Up");
    expect(ended.fault!.message).toMatch(/aborted by the application: enough/);
    expect(ended.lane(0).finished).toBe(false);
    expect(() => ended.send("Snapshot", { n: 1 })).toThrow(PhaseInvariant);
    expect(next.session).toBe(2);
    expect(next.state).toBe("open");
    expect(up.sessionById(1)).toBeUndefined();
    expect(up.sessionById(2)).toBe(next);
    expect(downSessions.get(1)!.state).toBe("faulted");
    expect(downSessions.get(2)!.state).toBe("open");
    // The new session is at its first step: Snapshot before Hello is refused here too.
    expect(() => next.send("Snapshot", { n: 2 })).toThrow(LabelMismatch);
  });

  it("ends every open sub-session with the session that announced them, whichever rows they hold", async () => {
    const { up, downSessions } = pair();
    const sessions = Array.from({ length: 20 }, (_, i) => up.send("Publish", { session: i + 1 }));
    for (const session of sessions.slice(0, 10)) session.send("Hello", { n: 0 });
    for (const session of sessions.slice(0, 10)) session.send("Finish", { n: 0 });
    const more = Array.from({ length: 5 }, (_, i) => up.send("Publish", { session: i + 21 }));
    await settle();
    up.abort("link down");
    await settle();
    expect([...sessions.slice(10), ...more].map((s) => s.state)).toEqual(Array(15).fill("faulted"));
    expect(sessions.slice(0, 10).map((s) => s.state)).toEqual(Array(10).fill("done"));
    expect([...downSessions.values()].filter((s) => s.state === "open")).toEqual([]);
  });
});
