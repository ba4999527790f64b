/**
 * What a connection does with frames that no open session takes, and how session ends are answered:
 * each side sends one reset per session end, so each knows when the other sends nothing more on it.
 */
import { describe, expect, it } from "vitest";
import {
  CodecError,
  createEndpoint,
  family,
  loop,
  message,
  PhaseInvariant,
  project,
  send,
  seq,
  TransportError,
  type Endpoint,
} from "../../lib/choreography/index.js";
import type { SessionMuxHandlers } from "../../lib/choreography/wire.js";
import { shape } from "./fixtures.js";
import { loopbackPair, settle, type Delivery } from "./loopback-mux.js";

const Snapshot = message("Snapshot", shape<{ data: string }>({ data: "string" }));
const Finish = message("Finish", shape<{ n: number }>({ n: "number" }));
const push = family("push", seq(loop("Up", send("Up", "Down", Snapshot)), send("Up", "Down", Finish)));
const Publish = message("Publish", shape<{ session: number }>({ session: "number" }), { opens: push, sessionId: (p) => p.session });
/** Up announces push sessions for as long as the connection lives. */
const feed = loop("Up", send("Up", "Down", Publish));
const downProgram = project(feed, "Down");
const upProgram = project(feed, "Up");
const snapshot = downProgram.catalog.ids.get("Snapshot")!;

/** Both ends, with push session 6 open on each. */
async function withSession(delivery: Delivery = "microtask") {
  const [a, b] = loopbackPair(delivery);
  const down = createEndpoint(downProgram, a);
  const up = createEndpoint(upProgram, b);
  const upSub = up.send("Publish", { session: 6 });
  await settle();
  const downSub = down.sessionById(6) as Endpoint;
  return { a, b, down, up, upSub, downSub };
}

describe("session ends and frames for sessions that are not open", () => {
  it("answers the peer's end of a session with one clean reset, and each side sends one reset per end", async () => {
    const { a, b, upSub, downSub } = await withSession();
    upSub.abort("done with it");
    await settle();
    expect(downSub.fault?.message).toMatch(/peer ended session 6: SessionFault: session 6 \(Up\) was aborted by the application: done with it/);
    expect(b.endedSessions.map(({ session, error }) => [session, error?.name])).toEqual([[6, "SessionFault"]]);
    expect(a.endedSessions).toEqual([{ session: 6, error: undefined }]);
    expect(a.closed || b.closed).toBe(false);
  });

  it("drops, unread, the peer's frames for a session that ended here until the peer answers; after that one closes the connection", async () => {
    const { a, b, down, up, upSub } = await withSession();
    upSub.abort();
    // In flight from the peer before it learns of the end: dropped, not decoded, nothing closes.
    b.inject(6, 0, snapshot, { data: "late" });
    await settle();
    expect(b.decoded).toBe(0);
    expect([down.state, up.state]).toEqual(["open", "open"]);
    // The peer answered (its reset came after those frames): now a frame for session 6 is a violation.
    b.inject(6, 0, snapshot, { data: "after its own reset" });
    await settle();
    expect(b.decoded).toBe(0);
    expect(up.fault).toBeInstanceOf(TransportError);
    expect(b.closeError).toBeInstanceOf(TransportError);
    expect(b.closeError?.cause).toBeInstanceOf(PhaseInvariant);
    expect(b.closeError?.message).toBe(
      "loopback: the peer sent a frame for session 6, which has ended on both sides (each side sends nothing on a session after its reset); closing the connection",
    );
    expect(a.closed).toBe(true);
  });

  it("closes the connection at a frame for a session the peer itself ended, and at a second end of it", async () => {
    const frame = await withSession();
    frame.downSub.abort();
    await settle();
    frame.b.inject(6, 0, snapshot, { data: "after ending it" });
    await settle();
    expect(frame.b.closeError?.message).toMatch(/the peer sent a frame for session 6, which has ended on both sides/);

    const end = await withSession();
    end.downSub.abort();
    await settle();
    end.b.failSession(6, new Error("ended twice"));
    await settle();
    expect(end.b.closeError?.message).toMatch(/the peer sent the end of session 6, which has ended on both sides/);
  });

  it("closes the connection at a frame or an end for a session never announced", async () => {
    const { b, up } = await withSession();
    b.failSession(9, new Error("never was"));
    await settle();
    expect(up.fault).toBeInstanceOf(TransportError);
    expect(b.closeError?.message).toMatch(/the peer sent the end of session 9, which was never announced on this connection/);
  });

  it("clears the sessions of a finished protocol on both sides: crossing resets answer each other", async () => {
    for (const delivery of ["sync", "microtask"] as const) {
      const { a, b, down, up, upSub, downSub } = await withSession(delivery);
      upSub.send("Snapshot", { data: "x" });
      upSub.send("Finish", { n: 1 });
      await settle();
      expect([upSub.state, downSub.state]).toEqual(["done", "done"]);
      expect(b.endedSessions).toEqual([{ session: 6, error: undefined }]);
      expect(a.endedSessions).toEqual([{ session: 6, error: undefined }]);
      // Nothing is left waiting: a late frame for 6 now is a violation, not an in-flight frame.
      b.inject(6, 0, snapshot, { data: "late" });
      await settle();
      expect([down.state, up.state]).toEqual(["faulted", "faulted"]);
    }
  });

  it("drops frames of sub-sessions the peer announced on a session that ended here, and answers their ends", async () => {
    const { a, b, down, up } = await withSession();
    const decoded = a.decoded;
    // Down ends session 0 while Up announces session 8 on it and uses it, before Down's reset arrives.
    down.abort("leaving");
    const eight = up.send("Publish", { session: 8 });
    eight.send("Snapshot", { data: "never read" });
    eight.abort("changed its mind");
    await settle();
    expect(a.closed || b.closed).toBe(false);
    expect(a.decoded).toBe(decoded);
    // Down ended 6 with its parent 0, and answered 8's end (it never opened 8); Up answered 6 and 0.
    expect(a.endedSessions.map(({ session }) => session)).toEqual([6, 0, 8]);
    expect(b.endedSessions.map(({ session }) => session)).toEqual([8, 6, 0]);
    expect(up.state).toBe("faulted");
    // Everything is answered now: one more frame for session 8 is a violation.
    a.inject(8, 0, snapshot, { data: "too late" });
    await settle();
    expect(a.closeError?.message).toMatch(/the peer sent a frame for session 8, which was never announced on this connection/);
  });

  it("ends without a reset the sub-sessions of a session the peer ended: the peer ended those it knew, and never knew the others", async () => {
    const { a, b, down, up, upSub } = await withSession();
    down.abort("leaving");
    const eight = up.send("Publish", { session: 8 }); // announced after Down ended session 0: Down never opens it
    await settle();
    expect([upSub.state, eight.state, up.state]).toEqual(["faulted", "faulted", "faulted"]);
    expect(a.endedSessions.map(({ session }) => session)).toEqual([6, 0]);
    expect(b.endedSessions.map(({ session }) => session)).toEqual([6, 0]); // answers only
    expect(a.closed || b.closed).toBe(false);
  });

  it("closes the connection when the peer leaves far more session ends unanswered than sessions were ever open", async () => {
    // Session 0 of Down is never started: nobody on that side answers anything.
    const [, b] = loopbackPair("sync");
    const up = createEndpoint(upProgram, b);
    let id = 0;
    while (!b.closed && id < 2000) up.send("Publish", { session: ++id }).abort();
    await settle();
    expect(b.closeError).toBeInstanceOf(PhaseInvariant);
    expect(b.closeError?.message).toBe(
      "the peer left 1029 session ends unanswered (at most 2 sessions were ever open at once, and a peer answers each end within a round trip); closing the connection",
    );
  });

  it("decodes a payload only for an open session, and lets a payload that cannot be decoded end the connection, not just the session", () => {
    let handlers: SessionMuxHandlers | undefined;
    const sent: string[] = [];
    const endpoint = createEndpoint(downProgram, {
      attach: (h) => (handlers = h),
      send: () => {},
      endSession: (session) => sent.push(`end ${session}`),
      close: () => {},
      onClose: () => {},
    });
    const bad = new CodecError("frame on session 0: bad JSON");
    const undecodable = {
      decode: () => {
        throw bad;
      },
    };
    expect(() => handlers!.receive(0, 0, downProgram.catalog.ids.get("Publish")!, undecodable)).toThrow(bad);
    expect(endpoint.state).toBe("open");
    expect(sent).toEqual([]);
    expect(() => handlers!.receive(3, 0, 0, undecodable)).toThrow(/the peer sent a frame for session 3, which was never announced/);
  });
});
