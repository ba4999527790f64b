/**
 * The endpoint fuzz of endpoint-fuzz.test.ts over a real WebSocket on 127.0.0.1: messages damaged after
 * they crossed the socket, and raw bytes or text frames from a bare `ws` client, always end in typed
 * errors and closed sessions (or, when a cut fell on a frame boundary, in a stall that closing the
 * connection ends the same way), never an uncaught exception or an unhandled rejection; a fault
 * confined to one family sub-session leaves the other sessions on the connection working, and a
 * payload that cannot be decoded closes the whole connection.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectUnhandledRejections } from "../unhandled-rejections.js";
import { WebSocket } from "ws";
import { createSessionMux, type CarrierSessionMux } from "../../bindings/session-mux.js";
import { FLAG_RESET } from "../../bindings/frame-header.js";
import {
  ChoreographyError,
  CodecError,
  createEndpoint,
  LabelMismatch,
  PhaseInvariant,
  SchemaMismatch,
  SessionFault,
  type Endpoint,
  type FamilyEvents,
} from "../../lib/choreography/index.js";
import type { Carrier } from "../../transports/carrier.js";
import { dialWs } from "../../transports/node/ws-dial.js";
import { listenWebSocket, type WebSocketListener } from "../../transports/node/ws-listener.js";
import { objectFamily } from "../choreography/fixtures.js";
import { frames, message, type TestFrame } from "./frames.js";
import { linkDown, linkUp, LinkTasks, playUp, startLinkRun } from "./link-run.js";
import { damaged, messageDamageArb, OneDamage, type MessageDamage, type MessagesCarried } from "./message-damage.js";
import { rewriteInbound } from "./rewriting-carrier.js";

const rejections = collectUnhandledRejections();
const uncaught: unknown[] = [];
const onUncaught = (error: unknown) => uncaught.push(error);

let listener: WebSocketListener;
/** Server ends of connections not yet taken by a test. */
const arrivals: Carrier[] = [];
let arrived: (() => void) | undefined;
const rawSockets: WebSocket[] = [];

beforeAll(async () => {
  process.on("uncaughtException", onUncaught);
  listener = await listenWebSocket({ port: 0 }, (carrier) => {
    arrivals.push(carrier);
    arrived?.();
  });
});

afterAll(async () => {
  for (const socket of rawSockets) socket.terminate();
  await listener.close();
  process.off("uncaughtException", onUncaught);
});

/** The server end of the next accepted connection. */
async function accepted(): Promise<Carrier> {
  while (arrivals.length === 0) await new Promise<void>((resolve) => (arrived = resolve));
  return arrivals.shift() as Carrier;
}

/** A new connection: the dialed carrier (Down's side) and the accepted one (Up's side). */
async function connect(): Promise<{ client: Carrier; server: Carrier }> {
  const client = await dialWs(listener.url);
  return { client, server: await accepted() };
}

/** A bare `ws` client connected to the listener, and the server end of its connection. */
async function connectRaw(): Promise<{ socket: WebSocket; server: Carrier; closed: Promise<void> }> {
  const socket = new WebSocket(listener.url, { perMessageDeflate: false });
  rawSockets.push(socket);
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    socket.once("open", resolve);
    socket.once("error", reject);
  });
  return { socket, server: await accepted(), closed };
}

/**
 * Waits, turn by turn of the event loop (never by the clock), until `signature` returns the same
 * defined value on two turns in a row: nothing is in flight and nothing changes any more.
 */
async function untilQuiet(signature: () => string | undefined): Promise<void> {
  let last: string | undefined;
  for (let turn = 0; turn < 5000; turn++) {
    await new Promise<void>((resolve) => setTimeout(resolve, 0));
    const now = signature();
    if (now !== undefined && now === last) return;
    last = now;
  }
  throw new Error(`the connection never went quiet (last seen: ${last})`);
}

/** Quiet when both muxes closed, or both are open with every message sent also received. */
function linkSignature(a: CarrierSessionMux, b: CarrierSessionMux): () => string | undefined {
  return () => {
    if (a.closed !== b.closed) return undefined;
    const out = [a.stats.messagesOut, b.stats.messagesOut];
    if (a.closed) return `closed ${out.join()}`;
    const balanced = out[0] === b.stats.messagesIn && out[1] === a.stats.messagesIn;
    return balanced && a.bufferedAmount + b.bufferedAmount === 0 ? `open ${out.join()}` : undefined;
  };
}

/** Lets promise continuations of ended endpoints run. */
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/** Every endpoint ended, every fault and task error typed, nothing pending. */
function expectTypedEnd(endpoints: readonly Endpoint[], tasks: LinkTasks): number {
  for (const error of tasks.errors) expect(error).toBeInstanceOf(ChoreographyError);
  expect([...tasks.pending]).toEqual([]);
  let faulted = 0;
  for (const endpoint of endpoints) {
    expect(["done", "faulted"]).toContain(endpoint.state);
    if (endpoint.state === "faulted") {
      faulted++;
      expect(endpoint.fault).toBeInstanceOf(ChoreographyError);
    }
  }
  return faulted;
}

/** Runs the link conversation over a fresh WebSocket, `damage` applied after the socket, until it goes quiet. */
async function linkOverWebSocket(interests: number, damage?: MessageDamage) {
  const once = damage === undefined ? undefined : new OneDamage(damage, await carried(interests));
  const rewrite = once === undefined ? (bytes: Uint8Array) => bytes : once.apply;
  const { client, server } = await connect();
  const downMux = createSessionMux(rewriteInbound(client, (bytes) => rewrite(bytes, "bToA")));
  const upMux = createSessionMux(rewriteInbound(server, (bytes) => rewrite(bytes, "aToB")));
  const run = startLinkRun(downMux, upMux, interests);
  await untilQuiet(linkSignature(downMux, upMux));
  return { ...run, client, downMux, upMux, damageApplied: once?.applied };
}

const honestTraffic = new Map<number, MessagesCarried>();

/**
 * What an honest run with `interests` sends each way (each send is one WebSocket message, and every
 * message answers the peer's, so the count does not depend on timing).
 */
async function carried(interests: number): Promise<MessagesCarried> {
  const known = honestTraffic.get(interests);
  if (known !== undefined) return known;
  const { down, up, downMux, upMux } = await linkOverWebSocket(interests);
  expect([down.state, up.state]).toEqual(["done", "done"]);
  const counts = { aToB: downMux.stats.messagesOut, bToA: upMux.stats.messagesOut };
  honestTraffic.set(interests, counts);
  downMux.close();
  upMux.close();
  return counts;
}

const helloId = linkDown.catalog.ids.get("Hello") as number;
const interestId = linkDown.catalog.ids.get("Interest") as number;
const interestsDoneId = linkDown.catalog.ids.get("InterestsDone") as number;
const interestsLane = linkDown.laneId("interests");
/** Down's first message, as a peer puts it on the wire. */
const helloMessage = message({ session: 0, label: helloId, payload: JSON.stringify({ version: 1 }) });
/** Down's interests, as a peer puts them on the wire. */
const interestsMessage = message(
  { session: 0, lane: interestsLane, label: interestId, payload: JSON.stringify({ key: "k0" }) },
  { session: 0, lane: interestsLane, label: interestId, payload: JSON.stringify({ key: "k1" }) },
  { session: 0, lane: interestsLane, label: interestsDoneId, payload: JSON.stringify({ count: 2 }) },
);

/** What a bare client sends after an honest Hello was answered. */
type RawGarbage =
  | { readonly kind: "bytes"; readonly bytes: Uint8Array }
  | { readonly kind: "damaged interests"; readonly damage: MessageDamage }
  | { readonly kind: "text"; readonly text: string };

const rawGarbageArb: fc.Arbitrary<RawGarbage> = fc.oneof(
  fc.record({ kind: fc.constant("bytes" as const), bytes: fc.uint8Array({ maxLength: 40 }) }),
  fc.record({ kind: fc.constant("damaged interests" as const), damage: messageDamageArb }),
  fc.record({ kind: fc.constant("text" as const), text: fc.string({ maxLength: 20 }) }),
);

type ObjectEndpoint<R extends "Down" | "Up"> = Endpoint<FamilyEvents<typeof objectFamily>, R>;

/** A frame of one sub-session, changed so that only that sub-session can notice. */
interface ConfinedDamage {
  readonly what: string;
  readonly victim: 1 | 2;
  readonly change: Partial<TestFrame>;
  readonly fault: new (...args: never[]) => ChoreographyError;
}

const confinedDamages: readonly ConfinedDamage[] = [
  { what: "a payload its schema refuses", victim: 2, change: { payload: '{"version":"one","data":7}' }, fault: SchemaMismatch },
  { what: "a label its step does not permit", victim: 1, change: { label: linkDown.catalog.ids.get("Gone") as number }, fault: LabelMismatch },
  { what: "a lane its protocol lacks", victim: 2, change: { lane: 3 }, fault: PhaseInvariant },
];

/** Changes the first data frame of session `victim` that arrives, keeping every other frame of its message. */
function damageFirstFrameOf(victim: number, change: Partial<TestFrame>): (bytes: Uint8Array) => Uint8Array {
  let done = false;
  return (bytes) => {
    if (done) return bytes;
    const parsed = frames(bytes);
    const at = parsed.findIndex((frame) => frame.session === victim && (frame.flags & FLAG_RESET) === 0);
    if (at < 0) return bytes;
    done = true;
    return message(...parsed.map((frame, index) => (index === at ? { ...frame, ...change } : frame)));
  };
}

describe("endpoints over the session mux on a WebSocket", () => {
  it("finish an honest run cleanly", async () => {
    const { down, up, tasks, downMux, upMux } = await linkOverWebSocket(5);
    expect(tasks.errors).toEqual([]);
    expect([...tasks.pending]).toEqual([]);
    expect([down.state, up.state]).toEqual(["done", "done"]);
    downMux.close();
    upMux.close();
  });

  it("end every run damaged behind the socket in typed errors and closed sessions", async () => {
    let faulted = 0;
    let stalled = 0;
    await fc.assert(
      fc.asyncProperty(fc.nat(6), messageDamageArb, async (interests, damage) => {
        const { down, up, tasks, client, downMux, upMux, damageApplied } = await linkOverWebSocket(interests, damage);
        expect(damageApplied).toBe(true);
        if (tasks.pending.size > 0) {
          // Cut on a frame boundary, a message is indistinguishable from one lost in transit: the run
          // stalls with the connection up until a keep-alive (above this layer) gives up.
          stalled++;
          expect([down.state, up.state]).toContain("open");
          client.close("keep-alive timeout");
          await Promise.all([down.closed, up.closed]);
          await settle();
        }
        faulted += expectTypedEnd([down, up], tasks);
        downMux.close();
        upMux.close();
      }),
      { numRuns: 40, seed: 20261121 },
    );
    expect(faulted).toBeGreaterThan(stalled);
    expect(rejections).toEqual([]);
    expect(uncaught).toEqual([]);
  });

  it("end every run a bare client feeds raw bytes or text in typed errors and closed sessions", async () => {
    let faulted = 0;
    let stalled = 0;
    await fc.assert(
      fc.asyncProperty(rawGarbageArb, async (garbage) => {
        const { socket, server, closed } = await connectRaw();
        const upMux = createSessionMux(server);
        const tasks = new LinkTasks();
        const up = createEndpoint(linkUp, upMux);
        playUp(up, tasks);
        const welcomed = new Promise<void>((resolve) => socket.once("message", () => resolve()));
        socket.send(helloMessage);
        await welcomed;
        let binaryMessages = 1;
        if (garbage.kind === "text") socket.send(garbage.text);
        else {
          socket.send(garbage.kind === "bytes" ? garbage.bytes : damaged(interestsMessage, garbage.damage));
          binaryMessages++;
        }
        await untilQuiet(() => {
          if (upMux.closed) return "closed";
          return upMux.stats.messagesIn === binaryMessages && upMux.bufferedAmount === 0 ? `open ${upMux.stats.messagesOut}` : undefined;
        });
        if (up.state === "open") {
          stalled++;
          socket.close();
          await up.closed;
          await settle();
        }
        faulted += expectTypedEnd([up], tasks);
        upMux.close();
        await closed;
      }),
      { numRuns: 30, seed: 20261122 },
    );
    expect(faulted).toBeGreaterThan(stalled);
    expect(rejections).toEqual([]);
    expect(uncaught).toEqual([]);
  });

  it("close the whole connection at a payload that cannot be decoded, with the CodecError on both ends", async () => {
    const { client, server } = await connect();
    const downMux = createSessionMux(rewriteInbound(client, damageFirstFrameOf(1, { payload: "{not json" })));
    const upMux = createSessionMux(server);
    const down = createEndpoint(linkDown, downMux);
    const up = createEndpoint(linkUp, upMux);
    up.onSession(objectFamily, (sub, announcement) => sub.send("State", { version: 1, data: announcement.key }));
    down.send("Hello", { version: 1 });
    await up.recv("Hello");
    up.send("Welcome", { node: "root" });
    await down.recv("Welcome");
    const sub = down.lane("interests").send("Observe", { session: 1, key: "a" });
    const [downEnd, subEnd, upEnd] = await Promise.all([down.closed, sub.closed, up.closed]);
    expect(downEnd).toBeInstanceOf(CodecError);
    expect(downEnd?.message).toMatch(/^Frame on session 1: .*UTF-8 JSON/);
    expect(subEnd?.cause).toBe(downEnd);
    expect(upEnd?.message).toMatch(/protocol violation: Frame on session 1: /);
    expect([downMux.closed, upMux.closed]).toEqual([true, true]);
    expect(rejections).toEqual([]);
    expect(uncaught).toEqual([]);
  });

  it.each(confinedDamages)("confine $what to its sub-session; the other session still delivers", async ({ victim, change, fault }) => {
    const { client, server } = await connect();
    const downMux = createSessionMux(rewriteInbound(client, damageFirstFrameOf(victim, change)));
    const upMux = createSessionMux(server);
    const down = createEndpoint(linkDown, downMux);
    const up = createEndpoint(linkUp, upMux);
    const upSubs = new Map<number, ObjectEndpoint<"Up">>();
    up.onSession(objectFamily, (sub, announcement) => {
      upSubs.set(sub.session, sub);
      sub.send("State", { version: 1, data: announcement.key });
    });

    down.send("Hello", { version: 1 });
    await up.recv("Hello");
    up.send("Welcome", { node: "root" });
    await down.recv("Welcome");
    up.lane("interests").serve({ Interest: () => {}, Observe: () => {}, InterestsDone: () => {} });
    let decisionsDone!: () => void;
    const decided = new Promise<void>((resolve) => (decisionsDone = resolve));
    down.lane("decisions").serve({ Assign: () => {}, Release: () => {}, DecisionsDone: () => decisionsDone() });

    const delivered: string[] = [];
    const downSubs = new Map<number, ObjectEndpoint<"Down">>();
    for (const [session, key] of [[1, "a"], [2, "b"]] as const) {
      const sub = down.lane("interests").send("Observe", { session, key });
      downSubs.set(session, sub);
      sub.serve({
        State: (state) => delivered.push(`${session} State ${state.data}`),
        Patch: (patch) => delivered.push(`${session} Patch ${patch.data}`),
        Gone: (gone) => delivered.push(`${session} Gone ${gone.version}`),
        Missing: (missing) => delivered.push(`${session} Missing ${missing.key}`),
      });
    }
    const survivor = victim === 1 ? 2 : 1;

    expect(await downSubs.get(victim)!.closed).toBeInstanceOf(fault);
    expect(await upSubs.get(victim)!.closed).toBeInstanceOf(SessionFault);
    const upSurvivor = upSubs.get(survivor)!;
    upSurvivor.send("Patch", { version: 2, data: "patched" });
    upSurvivor.send("Gone", { version: 3 });
    expect(await downSubs.get(survivor)!.closed).toBeUndefined();
    const key = survivor === 1 ? "a" : "b";
    expect(delivered).toEqual([`${survivor} State ${key}`, `${survivor} Patch patched`, `${survivor} Gone 3`]);

    // The main session on the same connection finishes its protocol too.
    down.lane("interests").send("InterestsDone", { count: 2 });
    up.lane("decisions").send("DecisionsDone", { count: 0 });
    await decided;
    const bye = up.recv("Bye");
    down.send("Bye", { reason: "done" });
    expect(await bye).toEqual({ reason: "done" });
    expect([await down.closed, await up.closed]).toEqual([undefined, undefined]);
    expect([downMux.closed, upMux.closed]).toEqual([false, false]);
    downMux.close();
    upMux.close();
    expect(rejections).toEqual([]);
    expect(uncaught).toEqual([]);
  });
});
