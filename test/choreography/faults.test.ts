import { describe, expect, it } from "vitest";
import { collectUnhandledRejections } from "../unhandled-rejections.js";
import {
  AffineViolation,
  ChoreographyError,
  CodecError,
  createEndpoint,
  LabelMismatch,
  message,
  PhaseInvariant,
  project,
  schema,
  SchemaMismatch,
  send,
  seq,
  SessionFault,
  TransportError,
} from "../../lib/choreography/index.js";
import { link } from "./fixtures.js";

const Ping = message("Ping", schema((u: unknown) => u));
const Ping2 = message("Ping2", schema((u: unknown) => u));
import { loopbackPair, settle, type Delivery } from "./loopback-mux.js";

const downProgram = project(link, "Down");
const upProgram = project(link, "Up");
const id = (label: string) => downProgram.catalog.ids.get(label)!;

function pair(delivery: Delivery = "microtask", checkOutbound = true) {
  const [a, b] = loopbackPair(delivery);
  return { a, b, down: createEndpoint(downProgram, a, { checkOutbound }), up: createEndpoint(upProgram, b, { checkOutbound }) };
}

async function welcomed(delivery: Delivery = "microtask") {
  const p = pair(delivery);
  p.down.send("Hello", { version: 1 });
  await p.up.recv("Hello");
  p.up.send("Welcome", { node: "root" });
  (await p.down.offer()).recv();
  return p;
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

function thrown(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an exception");
}

collectUnhandledRejections();

describe("faults from a hostile peer", () => {
  it("a label the step does not permit ends the session and rejects every pending op on every lane", async () => {
    const { a, b, down, up } = await welcomed();
    const onInterests = up.lane("interests").recv("Interest");
    const onMain = up.recv("Bye");
    const downDecisions = down.lane("decisions").offer();
    b.inject(0, 1, id("Assign"), { key: "x" });
    await settle();
    const fault = up.fault!;
    expect(fault).toBeInstanceOf(LabelMismatch);
    expect(fault.message).toBe(
      'lane 1 "interests" of session 0 (Up) received Assign, but Up is expected to receive Interest | InterestsDone | Observe at step 2 > route(Up) > arm 1 > step 2 > par > lane 1 "interests" > step 1 > loop(Down)',
    );
    expect(await failure(onInterests)).toBe(fault);
    expect(await failure(onMain)).toBe(fault);
    expect(await up.closed).toBe(fault);
    expect(b.openSessions()).toEqual([]);
    // The peer learns through the wire and fails too, rejecting its own pending ops.
    const peerFault = await failure(downDecisions);
    expect(peerFault).toBeInstanceOf(SessionFault);
    expect(peerFault.message).toMatch(/the peer ended session 0: LabelMismatch/);
    expect(down.fault).toBe(peerFault);
    expect(a.openSessions()).toEqual([]);
  });

  it("an unknown label id, an unknown lane, a lane not started, a lane where it is our turn", async () => {
    const cases: [number, number, new (...args: never[]) => Error, RegExp][] = [
      [0, 99, LabelMismatch, /received unknown label id 99; the protocol has 14 labels/],
      [7, id("Interest"), PhaseInvariant, /received a message on lane 7, but main has lanes 0..2/],
      [3, id("Interest"), PhaseInvariant, /received a message on lane 3, but main has lanes 0..2/], // just past the last lane
      [-1, id("Interest"), PhaseInvariant, /received a message on lane -1, but main has lanes 0..2/],
      [1, id("Interest"), PhaseInvariant, /received Interest, but that lane has not started/],
    ];
    for (const [lane, label, type, text] of cases) {
      const { b, up } = pair();
      b.inject(0, lane, label, { key: "k" });
      await settle();
      expect(up.fault).toBeInstanceOf(type);
      expect(up.fault!.message).toMatch(text);
    }
    const { b, up } = await welcomed();
    b.inject(0, 2, id("Assign"), { key: "k" });
    await settle();
    expect(up.fault).toBeInstanceOf(PhaseInvariant);
    expect(up.fault!.message).toMatch(/received Assign, but Up is expected to send Assign \| DecisionsDone \| Release/);
  });

  it("a payload that fails its schema is a SchemaMismatch with the validator's error as cause", async () => {
    const { b, up } = await welcomed();
    b.inject(0, 1, id("Interest"), { key: 5 });
    await settle();
    expect(up.fault).toBeInstanceOf(SchemaMismatch);
    expect(up.fault!.message).toMatch(/the payload of Interest received on lane 1 "interests" of session 0 \(Up\) does not match its schema: field key must be a string/);
    expect((up.fault as Error).cause).toBeInstanceOf(TypeError);
  });

  it("an end the binding reports with an error ends the session with that very error", async () => {
    const { b, up } = await welcomed();
    const pending = up.lane(1).offer();
    const codec = new CodecError("frame 12: bad JSON");
    b.failSession(0, codec);
    expect(await failure(pending)).toBe(codec);
    expect(up.fault).toBe(codec);
  });

  it("a broken connection rejects every pending op on every lane of both sides with a TransportError", async () => {
    const { a, down, up } = await welcomed();
    const ops = [down.lane(2).recv("Assign"), down.recv("Bye" as never), up.lane(1).offer(), up.recv("Bye")];
    a.close(new Error("connection reset"));
    const errors = await Promise.all(ops.map(failure));
    for (const e of errors) expect(e).toBeInstanceOf(TransportError);
    expect(errors[0]).toBe(errors[1]);
    expect(errors[2]).toBe(errors[3]);
    expect(down.fault!.message).toMatch(/lost its connection: connection reset/);
  });

  it("a clean close in the middle of the protocol is a TransportError naming what was expected", async () => {
    const { a, up } = await welcomed();
    a.close();
    await settle();
    expect(up.fault).toBeInstanceOf(TransportError);
    expect(up.fault!.message).toMatch(/was closed by the peer while lane 1 "interests" expects to receive Interest \| InterestsDone \| Observe/);
  });
});

describe("faults from the application", () => {
  it("sending when it is the peer's turn is a PhaseInvariant", () => {
    const { up, down } = pair("sync");
    const e = thrown(() => up.send("Welcome", { node: "x" }));
    expect(e).toBeInstanceOf(PhaseInvariant);
    expect(e.message).toBe("send(Welcome) on lane 0 of session 0 (Up), but Up is expected to receive Hello at step 1 > Down->Up Hello");
    expect(up.state).toBe("faulted");
    expect(down.fault).toBeInstanceOf(SessionFault);
  });

  it("receiving when it is our turn to send is a PhaseInvariant", async () => {
    const { down } = pair();
    const e = await failure(down.recv("Welcome"));
    expect(e).toBeInstanceOf(PhaseInvariant);
    expect(e.message).toMatch(/it is its turn to send/);
  });

  it("a label not permitted now, or not in the protocol, is a LabelMismatch", () => {
    const first = pair("sync");
    const e = thrown(() => first.down.send("Bye", { reason: "early" }));
    expect(e).toBeInstanceOf(LabelMismatch);
    expect(e.message).toMatch(/send\(Bye\) on lane 0 of session 0 \(Down\), but Down is expected to send Hello/);
    const second = pair("sync");
    expect(thrown(() => second.down.send("Nope" as never, {} as never)).message).toMatch(/"Nope" is not a label of this protocol/);
  });

  it("recv(label) when another permitted label arrives is a LabelMismatch", async () => {
    const { down, up } = pair();
    down.send("Hello", { version: 1 });
    await up.recv("Hello");
    const welcome = down.recv("Welcome");
    up.send("Refuse", { reason: "no" });
    const e = await failure(welcome);
    expect(e).toBeInstanceOf(LabelMismatch);
    expect(e.message).toMatch(/recv\(Welcome\) on lane 0 of session 0 \(Down\), but the next message received there is Refuse; use offer\(\)/);
  });

  it("an outbound payload that fails its schema is a SchemaMismatch (or, unchecked, the receiver's)", async () => {
    const checked = pair();
    const e = thrown(() => checked.down.send("Hello", { version: "one" } as never));
    expect(e).toBeInstanceOf(SchemaMismatch);
    expect(e.message).toMatch(/payload of Hello sent on lane 0 of session 0 \(Down\) does not match schema Hello: field version must be a number/);
    const unchecked = pair("microtask", false);
    unchecked.down.send("Hello", { version: "one" } as never);
    await settle();
    expect(unchecked.up.fault).toBeInstanceOf(SchemaMismatch);
  });

  it("taking an offered branch twice is an AffineViolation", async () => {
    const { down, up } = pair();
    down.send("Hello", { version: 1 });
    const branch = await up.offer();
    expect(branch.recv()).toEqual({ version: 1 });
    const e = thrown(() => branch.recv());
    expect(e).toBeInstanceOf(AffineViolation);
    expect(e.message).toMatch(/the offered Hello on lane 0 of session 0 \(Up\) was already taken/);
    expect(up.fault).toBe(e);
  });

  it("offer() again before committing the offered branch is a PhaseInvariant", async () => {
    const { down, up } = pair();
    down.send("Hello", { version: 1 });
    await up.offer();
    expect(await failure(up.offer())).toBeInstanceOf(PhaseInvariant);
  });

  it("a serve() handler that throws ends the session with a SessionFault", async () => {
    const { down, up } = await welcomed();
    up.lane("interests").serve({
      Interest: () => {
        throw new RangeError("boom");
      },
      InterestsDone: () => {},
      Observe: () => {},
    });
    down.lane("interests").send("Interest", { key: "k" });
    await settle();
    expect(up.fault).toBeInstanceOf(SessionFault);
    expect(up.fault!.message).toMatch(/the serve\(\) handler for Interest on lane 1 "interests" of session 0 \(Up\) threw: boom/);
  });

  it("serve() must cover exactly the labels its lane receives", async () => {
    const { up } = await welcomed();
    const e = thrown(() => up.lane("interests").serve({ Interest: () => {}, InterestsDone: () => {} }));
    expect(e).toBeInstanceOf(PhaseInvariant);
    expect(e.message).toMatch(/has no handler for Observe; this lane can receive Interest, InterestsDone, Observe/);
  });

  it("abort() ends both sides with a SessionFault; close() before the end is a PhaseInvariant", async () => {
    const first = await welcomed();
    first.down.abort("shutting down");
    await settle();
    expect(first.down.fault!.message).toMatch(/aborted by the application: shutting down/);
    expect(first.up.fault).toBeInstanceOf(SessionFault);
    const second = await welcomed();
    expect(thrown(() => second.up.close())).toBeInstanceOf(PhaseInvariant);
  });

  it("an endpoint runs a role with one peer only (a connection joins two parties)", () => {
    const g = seq(send("A", "B", Ping), send("B", "C", Ping2));
    const [a] = loopbackPair();
    const e = thrown(() => createEndpoint(project(g, "B"), a));
    expect(e).toBeInstanceOf(PhaseInvariant);
    expect(e.message).toMatch(/role B talks to A and C/);
    expect(a.openSessions()).toEqual([]);
  });

  it("operations after the end fail with a PhaseInvariant that keeps the fault as cause", async () => {
    const { down, up } = pair("sync");
    up.abort();
    const e = thrown(() => down.send("Hello", { version: 1 }));
    expect(e).toBeInstanceOf(PhaseInvariant);
    expect(e.cause).toBe(down.fault);
    expect(await failure(down.lane(2).recv("Assign"))).toBeInstanceOf(PhaseInvariant);
    // Operations after the end are not new faults.
    expect(down.fault).toBeInstanceOf(SessionFault);
  });

  it("never leaks an unhandled rejection from promises nobody awaits", async () => {
    const { a, down, up } = await welcomed();
    void down.lane(2).offer();
    void up.lane(1).recv("Interest");
    void up.recv("Bye");
    a.close(new Error("gone"));
    await settle();
    expect(down.fault).toBeInstanceOf(ChoreographyError);
  });
});
