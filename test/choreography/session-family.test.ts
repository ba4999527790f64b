import { describe, expect, it } from "vitest";
import {
  AffineViolation,
  createEndpoint,
  family,
  LabelMismatch,
  loop,
  message,
  project,
  SessionFault,
  send,
  seq,
  TransportError,
  type Endpoint,
  type FamilyEvents,
} from "../../lib/choreography/index.js";
import { link, objectFamily, shape } from "./fixtures.js";
import { loopbackPair, settle } from "./loopback-mux.js";

const Snapshot = message("Snapshot", shape<{ data: string }>({ data: "string" }));
const Delta = message("Delta", shape<{ data: string }>({ data: "string" }));
const Finish = message("Finish", shape<{ n: number }>({ n: "number" }));
const push = family("push", seq(send("Up", "Down", Snapshot), loop("Up", send("Up", "Down", Delta)), send("Up", "Down", Finish)));
const Publish = message("Publish", shape<{ session: number }>({ session: "number" }), { opens: push, sessionId: (p) => p.session });
/** Up announces push sessions for as long as the connection lives. */
const feed = loop("Up", send("Up", "Down", Publish));

function feedPair() {
  const [a, b] = loopbackPair();
  return { a, b, down: createEndpoint(project(feed, "Down"), a), up: createEndpoint(project(feed, "Up"), b) };
}

describe("session families", () => {
  it("opens the announced session before frames that follow it in the same batch", async () => {
    const { a, b, down, up } = feedPair();
    const events: string[] = [];
    down.onSession(push, (sub, announcement) => {
      events.push(`open ${sub.session} (announced ${announcement.session})`);
      sub.serve({
        Snapshot: (p) => events.push(`snapshot ${p.data}`),
        Delta: (p) => events.push(`delta ${p.data}`),
        Finish: (p) => events.push(`finish ${p.n}`),
      });
    });
    const sub = up.send("Publish", { session: 7 });
    expect(sub.session).toBe(7);
    sub.send("Snapshot", { data: "a" });
    sub.send("Delta", { data: "b" });
    sub.send("Finish", { n: 2 });
    expect(sub.state).toBe("done");
    await settle();
    expect(events).toEqual(["open 7 (announced 7)", "snapshot a", "delta b", "finish 2"]);
    expect(a.closeError ?? b.closeError).toBeUndefined();
    expect(down.state).toBe("open");
    // The binding was told that session 7 ended (cleanly), and nothing else.
    expect(b.endedSessions).toEqual([{ session: 7, error: undefined }]);
    expect(b.openSessions()).toEqual([0]);
    expect(up.tap!.entries().some((e) => e.kind === "open" && e.session === 7)).toBe(true);
  });

  it("opens the sub-session on the announcer's side before the announcing frame is sent", () => {
    const [a, b] = loopbackPair("sync");
    const order: string[] = [];
    createEndpoint(project(feed, "Down"), a);
    const up = createEndpoint(project(feed, "Up"), b);
    const send = b.send.bind(b);
    b.send = (session, lane, label, payload) => {
      order.push(`send on ${session} (session 5 ${up.sessionById(5) === undefined ? "not open" : "open"})`);
      send(session, lane, label, payload);
    };
    up.send("Publish", { session: 5 }).send("Snapshot", { data: "" });
    expect(order).toEqual(["send on 0 (session 5 open)", "send on 5 (session 5 open)"]);
  });

  it("the ids one side announces must increase, so a frame for an ended session is never misread as one of a new session", async () => {
    const { down, up } = feedPair();
    const subs: Endpoint[] = [];
    down.onSession(push, (sub) => subs.push(sub));
    const six = up.send("Publish", { session: 6 });
    six.send("Snapshot", { data: "" });
    six.send("Finish", { n: 0 });
    await settle();
    expect(subs[0]!.state).toBe("done");
    // Announcing an id at or below one announced before is refused.
    expect(() => up.send("Publish", { session: 6 })).toThrow(AffineViolation);
    expect(up.fault!.message).toMatch(/announces session 6, which is not above session 6, announced before by the same side/);
  });

  it("keeps a session announced without a handler reachable by id, frames queued until taken", async () => {
    const { down, up } = feedPair();
    const sub = up.send("Publish", { session: 3 });
    sub.send("Snapshot", { data: "x" });
    await settle();
    const mine = down.sessionById(3) as Endpoint<FamilyEvents<typeof push>, "Down"> | undefined;
    expect(mine?.program.name).toBe("push");
    expect(await mine!.recv("Snapshot")).toEqual({ data: "x" });
  });

  it("a fault in one sub-session ends only that sub-session", async () => {
    const { a, down, up } = feedPair();
    const subs = new Map<number, Endpoint>();
    down.onSession(push, (sub) => subs.set(sub.session, sub));
    const up1 = up.send("Publish", { session: 1 });
    const up2 = up.send("Publish", { session: 2 });
    await settle();
    a.inject(1, 0, down.program.catalog.ids.get("Finish")!, { n: 0 });
    up2.send("Snapshot", { data: "ok" });
    await settle();
    expect(subs.get(1)!.fault).toBeInstanceOf(LabelMismatch);
    expect(up1.fault).toBeInstanceOf(SessionFault);
    expect(subs.get(2)!.state).toBe("open");
    expect(await subs.get(2)!.recv("Snapshot")).toEqual({ data: "ok" });
    expect([down.state, up.state]).toEqual(["open", "open"]);
  });

  it("announcing a session id that is already open is an AffineViolation", async () => {
    const first = feedPair();
    first.up.send("Publish", { session: 4 });
    expect(() => first.up.send("Publish", { session: 4 })).toThrow(AffineViolation);
    expect(first.up.fault!.message).toMatch(/announces session 4, which is already open on this connection/);

    const second = feedPair();
    second.up.send("Publish", { session: 4 });
    await settle();
    second.a.inject(0, 0, second.down.program.catalog.ids.get("Publish")!, { session: 4 });
    await settle();
    expect(second.down.fault).toBeInstanceOf(AffineViolation);
  });

  it("the end of the parent session ends its sub-sessions", async () => {
    const { down, up } = feedPair();
    const sub = up.send("Publish", { session: 9 });
    const other = up.send("Publish", { session: 11 });
    await settle();
    const downSub = down.sessionById(9)!;
    up.abort("restart");
    await settle();
    expect(sub.fault).toBeInstanceOf(SessionFault);
    expect(sub.fault!.message).toMatch(/parent session 0 ended: session 0 \(Up\) was aborted by the application: restart/);
    expect(other.fault).toBe(sub.fault); // one fault for every sub-session, not a stack captured each
    expect(downSub.fault).toBeInstanceOf(SessionFault);
    expect(await downSub.closed).toBe(downSub.fault);
  });

  it("the end of a sub-session ends the sessions it announced, and only those", async () => {
    const Item = message("Item", shape<{ session: number }>({ session: "number" }), { opens: push, sessionId: (p) => p.session });
    const topic = family("topic", loop("Up", send("Up", "Down", Item)));
    const OpenTopic = message("OpenTopic", shape<{ session: number }>({ session: "number" }), { opens: topic, sessionId: (p) => p.session });
    const topics = loop("Up", send("Up", "Down", OpenTopic));
    const [a, b] = loopbackPair();
    const down = createEndpoint(project(topics, "Down"), a);
    const up = createEndpoint(project(topics, "Up"), b);
    const first = up.send("OpenTopic", { session: 1 });
    const second = up.send("OpenTopic", { session: 2 });
    const items = [first.send("Item", { session: 3 }), first.send("Item", { session: 4 }), second.send("Item", { session: 5 })];
    await settle();
    first.abort("done with it");
    await settle();
    expect(items.map((item) => item.state)).toEqual(["faulted", "faulted", "open"]);
    expect(items[0]!.fault!.message).toMatch(/parent session 1 ended/);
    expect([3, 4, 5].map((id) => down.sessionById(id)?.state)).toEqual([undefined, undefined, "open"]);
    expect([up.state, second.state]).toEqual(["open", "open"]);
  });

  it("an onSession handler that throws fails only the new sub-session", async () => {
    const { down, up } = feedPair();
    down.onSession(push, () => {
      throw new Error("no room");
    });
    const sub = up.send("Publish", { session: 11 });
    await settle();
    expect(sub.fault).toBeInstanceOf(SessionFault);
    expect(down.state).toBe("open");
  });

  it("a frame for a session nobody announced is the binding's problem: it ends the connection", async () => {
    const { a, down, up } = feedPair();
    a.inject(42, 0, 0, {});
    await settle();
    expect(down.fault).toBeInstanceOf(TransportError);
    expect(up.fault).toBeInstanceOf(TransportError);
  });

  it("runs the link's object family announced by the receiver of its data", async () => {
    const [a, b] = loopbackPair();
    const down = createEndpoint(project(link, "Down"), a);
    const up = createEndpoint(project(link, "Up"), b);
    up.onSession(objectFamily, (sub, announcement) => {
      // Answer inside the announcement's receive handler: the session is already open both ways.
      if (announcement.key === "missing") sub.send("Missing", { key: announcement.key });
      else {
        sub.send("State", { version: 1, data: announcement.key });
        sub.send("Patch", { version: 2, data: "+" });
        sub.send("Gone", { version: 2 });
      }
    });
    down.send("Hello", { version: 1 });
    await up.recv("Hello");
    up.send("Welcome", { node: "n" });
    (await down.offer()).recv();
    const found = down.lane("interests").send("Observe", { session: 1, key: "thing" });
    const missing = down.lane("interests").send("Observe", { session: 2, key: "missing" });
    const first = await found.offer();
    expect(first.label).toBe("State");
    first.recv();
    const versions: number[] = [];
    for (;;) {
      const b = await found.offer();
      if (b.label === "Gone") {
        versions.push(b.recv().version);
        break;
      }
      if (b.label === "Patch") versions.push(b.recv().version);
    }
    expect(versions).toEqual([2, 2]);
    expect((await missing.offer()).label).toBe("Missing");
    expect([found.state, missing.state]).toEqual(["done", "done"]);
    expect(down.state).toBe("open");
  });
});

describe("admission of announced sessions", () => {
  it("admits the ids a frame header carries (0 to 2^32-1, increasing) and refuses the rest as a SchemaMismatch of the announcement", () => {
    for (const [id, admitted] of [
      [2 ** 32 - 1, true],
      [2 ** 32, false],
      [-1, false],
      [1.5, false],
    ] as const) {
      const { up } = feedPair();
      if (admitted) {
        expect(up.send("Publish", { session: id }).session).toBe(id);
        continue;
      }
      expect(() => up.send("Publish", { session: id })).toThrow(`Publish on lane 0 of session 0 (Up) announces session id ${id}; session ids are integers from 0 to 4294967295`);
      expect(up.fault?.name).toBe("SchemaMismatch");
    }
  });

  it("refuses an announcement whose session id cannot be read", () => {
    const Broken = message("Broken", shape<{ session: number }>({ session: "number" }), {
      opens: push,
      sessionId: () => {
        throw new Error("no id here");
      },
    });
    const [, b] = loopbackPair();
    const up = createEndpoint(project(loop("Up", send("Up", "Down", Broken)), "Up"), b);
    expect(() => up.send("Broken", { session: 1 })).toThrow("Broken on lane 0 of session 0 (Up): its session id could not be read: no id here");
    expect(up.fault?.name).toBe("SchemaMismatch");
  });
});
