/**
 * A hostile client of a hakuban listener, speaking the wire by hand: the attacks of the hardening
 * findings, each a function of its sizes, shared by the hostile-mix test (small sizes) and the hostile
 * bench (the findings' sizes). Links say Hello, open sessions and send states through the project's own
 * endpoint, session mux and carrier, with outbound checks off so they can send what an honest node never
 * would; frames the mux would refuse to make are built with the frame encoder of the bindings' tests;
 * what never becomes a WebSocket is written on raw TCP.
 *
 * Each attack resolves with what it made and how much of it the listener turned away (closed, or
 * refused), waiting for that up to the target's `patienceMs` once everything is sent, then closing what
 * is left. `linesAbout` finds the listener's log lines that name an attack's links.
 */
import { deflateSync } from "fflate";
import { WebSocket } from "ws";
import { FLAG_COMPRESSED } from "../../bindings/frame-header.js";
import { createSessionMux, type SessionMuxOptions } from "../../bindings/session-mux.js";
import { varUintSize, writeVarUint } from "../../bindings/varint.js";
import { createEndpoint, type Endpoint, type FamilyEvents } from "../../lib/choreography/index.js";
import { ObjectDescriptor } from "../../lib/descriptor/object-descriptor.js";
import { MAX_VERSION_LENGTH, type Version } from "../../lib/state/version.js";
import type { objectFamily } from "../../lib/sync/messages.js";
import type { AckPayload } from "../../lib/sync/object-session.js";
import { PROGRAM_HASH, PROTOCOL_VERSION, downProgram } from "../../lib/sync/protocol.js";
import type { Carrier, CarrierHandlers } from "../../transports/carrier.js";
import { wrapWebSocket } from "../../transports/websocket-carrier.js";
import { message, type TestFrame } from "../bindings/frames.js";
import { RawTcpClient } from "../transports/raw-tcp-client.js";
import { type PlainState, wireState } from "../sync/wire/plain-states.js";

/** Where an attack is aimed. */
export interface AttackTarget {
  /** The listener's URL, ws://127.0.0.1:<port>. */
  readonly url: string;
  /** The object honest clients expose and observe (the version attacks aim at it). */
  readonly honest: ObjectDescriptor;
  /** How long to wait for the listener to turn an attack away once it is all sent (ms). */
  readonly patienceMs: number;
  /** How often the attacker's links send the keep-alive Ping (ms), so only the attack can get them dropped. */
  readonly pingEveryMs: number;
}

/** What an attack made, and how much of it the listener turned away. */
export interface AttackOutcome {
  /** Links, sockets or sessions the attack made. */
  readonly attempts: number;
  /** Of those, how many the listener closed or refused. */
  readonly turnedAway: number;
  /** How the listener's log lines name the attacker: its links' node names and its sockets' addresses. */
  readonly names: readonly string[];
  /**
   * Closes whatever the listener left open: the attacker leaves. Leaving makes the listener log too,
   * so read its log (what the attack made it say) before calling this.
   */
  leave(): void;
}

/** One attack at given sizes. */
export interface Attack {
  /** A short name, e.g. "deep JSON". */
  readonly name: string;
  /** What it sends, at these sizes. */
  readonly description: string;
  run(target: AttackTarget): Promise<AttackOutcome>;
}

const MAX = Number.MAX_SAFE_INTEGER;
/** The last version possible (16 × Number.MAX_SAFE_INTEGER): nothing orders after it. */
export const LAST_VERSION: Version = Array.from({ length: MAX_VERSION_LENGTH }, () => MAX);

type DownEndpoint = ReturnType<typeof downEndpoint>;
/** The child's end of one object session. */
export type ObjectSession = Endpoint<FamilyEvents<typeof objectFamily>, "Down">;

function downEndpoint(mux: ReturnType<typeof createSessionMux>) {
  return createEndpoint(downProgram, mux, { checkOutbound: false, tap: null });
}

let attackers = 0;
/** A node name no other attacker link of this process has. */
function attackerName(role: string): string {
  return `attacker-${++attackers}-${role}`;
}

/** Something to wait on: `until` resolves once `done()` holds, checked whenever `wake()` is called. */
class Waitable {
  readonly #waiters = new Set<() => void>();

  /** Resolves true once `done()` holds, or false after `ms` milliseconds. */
  until(done: () => boolean, ms: number): Promise<boolean> {
    if (done()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const finish = (met: boolean): void => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve(met);
      };
      const check = (): void => {
        if (done()) finish(true);
      };
      const timer = setTimeout(() => finish(false), ms);
      this.#waiters.add(check);
    });
  }

  wake(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}

/** What an object session of a hand-spoken link heard from the listener. */
export class WatchedSession extends Waitable {
  /** Assign or Release arrived (the listener took the Open). */
  decided = false;
  assigned = false;
  /** The epoch the last Assign named (its states go in it). */
  epoch = 0;
  needed = false;
  statesReceived = 0;
  /** The version of the last AckDown. */
  acked: Version | undefined;
  /** The listener answered Close with Closed. */
  closedByListener = false;
  /** The listener ended the session with a fault while its link stayed open: it refused the session. */
  refused = false;
  #ended = false;
  #aborting = false;

  constructor(
    readonly session: ObjectSession,
    link: HandLink,
    onRefused: () => void,
  ) {
    super();
    session.lane("down").serve(this);
    void session.closed.then((fault) => {
      this.#ended = true;
      if (fault !== undefined && !this.#aborting && link.connected) {
        this.refused = true;
        onRefused();
      }
      this.wake();
    });
  }

  /** Ends the session from this side, with a reset. */
  abort(): void {
    this.#aborting = true;
    this.session.abort();
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** Sends a state up (StateUp) on the state wire, unchecked; in the epoch of the last Assign unless `state` names one. */
  publish(state: PlainState): void {
    this.session.lane("up").send("StateUp", wireState(state.e === undefined && this.epoch !== 0 ? { ...state, e: this.epoch } : state));
  }

  Assign({ epoch }: { epoch?: number }): void {
    this.epoch = epoch ?? 0;
    this.decided = this.assigned = true;
    this.wake();
  }

  Release(): void {
    this.decided = true;
    this.assigned = false;
    this.wake();
  }

  Need(): void {
    this.needed = true;
    this.wake();
  }

  Unneed(): void {
    this.needed = false;
    this.wake();
  }

  StateDown(): void {
    this.statesReceived++;
    this.wake();
  }

  AckDown(ack: AckPayload): void {
    this.acked = ack.v;
    this.wake();
  }

  Closed(): void {
    this.closedByListener = true;
    this.wake();
  }

  Denied(): void {}

  Granted(): void {}
}

/** A child's interest in an object, as an Open says it. */
export interface OpenInterest {
  readonly observed: boolean;
  readonly capacity: number;
  readonly have?: Version;
}

/**
 * A link to a listener spoken by hand: a `ws` WebSocket (which can stop reading), the project's carrier,
 * session mux and the child's endpoint of the link protocol, with outbound checks off. It says Hello,
 * answers the listener's Farewell with Bye and sends Pings; everything else is up to the attack.
 */
export class HandLink extends Waitable {
  readonly name: string;
  readonly endpoint: DownEndpoint;
  readonly #socket: WebSocket;
  readonly #carrier: Carrier;
  /** Pings while welcomed (see #startPinging). */
  #ping: ReturnType<typeof setInterval> | undefined;
  readonly #pingEveryMs: number;
  #deaf = false;
  #leaving = false;
  #ended = false;
  #endedByListener = false;
  #refusedSessions = 0;
  #nextSession = 1;
  /** Synced answers received. */
  #synced = 0;

  private constructor(socket: WebSocket, name: string, pingEveryMs: number, mux: SessionMuxOptions) {
    super();
    this.name = name;
    this.#socket = socket;
    const carrier = wrapWebSocket(socket as unknown as Parameters<typeof wrapWebSocket>[0]);
    this.#carrier = carrier;
    // The mux sees what the carrier delivers, unless this link was deafened.
    const filtered: Carrier = {
      peer: carrier.peer,
      get state() {
        return carrier.state;
      },
      get bufferedAmount() {
        return carrier.bufferedAmount;
      },
      attach: (handlers: CarrierHandlers) =>
        carrier.attach({ message: (bytes) => this.#deaf || handlers.message(bytes), close: (event) => handlers.close(event) }),
      send: (bytes) => carrier.send(bytes),
      close: (reason) => carrier.close(reason),
    };
    this.endpoint = downEndpoint(createSessionMux(filtered, mux));
    this.endpoint.lane("decisions").serve({
      Announce: () => {},
      Withdraw: () => {},
      Synced: () => {
        this.#synced++;
        this.wake();
      },
      Pong: () => {},
      Refreshed: () => {},
      TagDenied: () => {},
      TagGranted: () => {},
      Farewell: () => this.#try(() => this.endpoint.lane("interests").send("Bye", { reason: "farewell" })),
    });
    this.#pingEveryMs = pingEveryMs;
    void this.endpoint.closed.then(() => {
      clearInterval(this.#ping);
      this.#ended = true;
      this.#endedByListener = !this.#leaving;
      this.wake();
    });
  }

  /**
   * Dials `url`, says Hello as `name` (with `token`, if any) and resolves once welcomed; rejects when the
   * listener refuses or drops it first.
   */
  static async open(target: AttackTarget, name: string, mux: SessionMuxOptions = {}, token?: string): Promise<HandLink> {
    const socket = new WebSocket(target.url, { perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
    });
    socket.on("error", () => {});
    const link = new HandLink(socket, name, target.pingEveryMs, mux);
    const hello = { protocol: PROTOCOL_VERSION, program: PROGRAM_HASH, node: name, resume: name };
    link.endpoint.send("Hello", token === undefined ? hello : { ...hello, token });
    const answer = await link.endpoint.offer();
    if (answer.label !== "Welcome") {
      link.close();
      throw new Error(`the listener did not welcome ${name}: ${answer.label} ${JSON.stringify(answer.recv())}`);
    }
    answer.recv();
    link.#startPinging();
    return link;
  }

  /** Pings on the interests lane from now on, as a child does once welcomed (the lane starts only then). */
  #startPinging(): void {
    if (this.#ended || this.#leaving) return;
    this.#ping = setInterval(() => this.#try(() => this.endpoint.lane("interests").send("Ping", {})), this.#pingEveryMs);
  }

  /** True once the connection ended. */
  get ended(): boolean {
    return this.#ended;
  }

  /**
   * Sends Sync and resolves true once the listener answered it (within `ms`): it has then handled every
   * frame this link sent before (frames are handled in order), states included.
   */
  sync(ms: number): Promise<boolean> {
    const before = this.#synced;
    this.#try(() => this.endpoint.lane("interests").send("Sync", {}));
    return this.until(() => this.#synced > before || this.#ended, ms).then((answered) => answered && this.#synced > before);
  }

  /** True while the connection is open and this side is not closing it. */
  get connected(): boolean {
    return !this.#leaving && this.#carrier.state === "open";
  }

  /** True once the listener ended the connection (not this side's close()) or refused one of its sessions. */
  get turnedAway(): boolean {
    return this.#endedByListener || this.#refusedSessions > 0;
  }

  /** Opens the session of `object` with this interest, and watches what the listener answers. */
  open(object: ObjectDescriptor, interest: OpenInterest, session = this.#nextSession++): WatchedSession {
    const opened = this.endpoint.lane("interests").send("Open", { session, object, ...interest });
    return new WatchedSession(opened as unknown as ObjectSession, this, () => {
      this.#refusedSessions++;
      this.wake();
    });
  }

  /** Sends frames as they are, in one WebSocket message, bypassing the mux's checks. */
  sendFrames(frames: readonly TestFrame[]): void {
    this.#carrier.send(message(...frames));
  }

  /** From now on, drops every message the listener sends before the mux sees it (reading on, deciding nothing). */
  deafen(): void {
    this.#deaf = true;
  }

  /** Stops reading from the socket: what the listener sends piles up in its own buffers. */
  stopReading(): void {
    this.#socket.pause();
  }

  /** Reads from the socket again (and so sees at once whether the listener closed it meanwhile). */
  resumeReading(): void {
    this.#socket.resume();
  }

  /** Bytes handed to the socket and not written out yet. */
  get bufferedAmount(): number {
    return this.#carrier.state === "open" ? this.#carrier.bufferedAmount : 0;
  }

  /** Resolves once every byte sent so far is written to the socket (or the link ended). */
  async flushed(): Promise<void> {
    while (!this.#ended && this.bufferedAmount > 0) await new Promise<void>((resolve) => setImmediate(resolve));
  }

  /** Closes the connection from this side (the listener did not). */
  close(): void {
    this.#leaving = true;
    clearInterval(this.#ping);
    this.#socket.terminate();
  }

  #try(send: () => void): void {
    if (this.#ended || this.endpoint.state !== "open") return;
    try {
      send();
    } catch {
      // The lane ended meanwhile (the link is closing): nothing to say any more.
    }
  }
}

function closeAll(links: readonly HandLink[]): void {
  for (const link of links) if (!link.ended) link.close();
}

/** Opens a link as `role`: an offender breaks the rules, an accomplice keeps to them and only helps. */
type OpenLink = (role: string, part?: "offender" | "accomplice", mux?: SessionMuxOptions) => Promise<HandLink>;

/**
 * Runs `body` with the links it opens, then waits up to `settleMs` for the listener to turn every
 * offending link away (end it, or refuse one of its sessions). On a throw, closes every link.
 */
async function withLinks(target: AttackTarget, body: (open: OpenLink) => Promise<void>, settleMs = target.patienceMs): Promise<AttackOutcome> {
  const offenders: HandLink[] = [];
  const links: HandLink[] = [];
  try {
    await body(async (role, part = "offender", mux) => {
      const link = await HandLink.open(target, attackerName(role), mux);
      links.push(link);
      if (part === "offender") offenders.push(link);
      return link;
    });
    await Promise.all(offenders.map((link) => link.until(() => link.turnedAway, settleMs)));
  } catch (error) {
    closeAll(links);
    throw error;
  }
  return {
    attempts: offenders.length,
    turnedAway: offenders.filter((link) => link.turnedAway).length,
    names: offenders.map((link) => link.name),
    leave: () => closeAll(links),
  };
}

let objects = 0;
/** An object of the attacker's own, unknown to anyone else. */
function attackerObject(what: string): ObjectDescriptor {
  return new ObjectDescriptor([`attacker-${what}`], { n: ++objects });
}

/** A compressed payload of `raw` that declares `declared` inflated bytes (the bindings' compressed-frame layout). */
export function compressedPayload(raw: Uint8Array, declared: number): Uint8Array {
  const stream = deflateSync(raw, { level: 6 });
  const payload = new Uint8Array(varUintSize(declared) + stream.length);
  payload.set(stream, writeVarUint(payload, 0, declared));
  return payload;
}

const utf8 = (text: string) => new TextEncoder().encode(text);
/** The child's lane where TagInterest is permitted at any time after Welcome. */
const INTERESTS_LANE = downProgram.laneId("interests");
const TAG_INTEREST = downProgram.catalog.ids.get("TagInterest")!;

/** A TagInterest frame (control session, interests lane) carrying `payload` as it is. */
function tagInterestFrame(payload: Uint8Array, flags = 0): TestFrame {
  return { session: 0, lane: INTERESTS_LANE, label: TAG_INTEREST, flags, payload };
}

/** Says Hello by the book, then sends `frames` raw in one message. */
function rawFrames(name: string, description: string, frames: () => readonly TestFrame[]): Attack {
  return {
    name,
    description,
    run: (target) =>
      withLinks(target, async (open) => {
        const link = await open(name.replaceAll(" ", "-"));
        link.sendFrames(frames());
      }),
  };
}

function mib(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${+(bytes / 1024 / 1024).toFixed(1)} MiB` : bytes >= 1024 ? `${+(bytes / 1024).toFixed(1)} KiB` : `${bytes} B`;
}

/** An exposer of the attacker's own object, elected and asked for states because a second link observes it. */
async function electedExposer(open: OpenLink, what: string, patienceMs: number): Promise<WatchedSession | undefined> {
  const object = attackerObject(what);
  const exposer = await open(`${what}-exposer`);
  const observer = await open(`${what}-observer`, "accomplice");
  const session = exposer.open(object, { observed: false, capacity: 1 });
  observer.open(object, { observed: true, capacity: 0 });
  // The observer's states are of no interest: it reads them and throws them away undecoded.
  observer.deafen();
  return (await session.until(() => session.needed || session.ended, patienceMs)) && !session.ended ? session : undefined;
}

// ---- finding 1: a state growing without bound ------------------------------------------------------

/** One tiny full state, then `patches` patches each adding a string of `patchBytes`, one a turn. */
export function growingState(patches: number, patchBytes: number): Attack {
  return {
    name: "growing state",
    description: `a tiny full state, then ${patches} patches each adding a ${mib(patchBytes)} string`,
    run: (target) =>
      withLinks(target, async (open) => {
        const session = await electedExposer(open, "grower", target.patienceMs);
        if (session === undefined) return;
        const big = "g".repeat(patchBytes);
        session.publish({ v: [1], s: true, d: {} });
        for (let k = 1; k <= patches; k++) {
          await nextTurn();
          if (session.ended) return;
          session.publish({ v: [k + 1], s: true, b: [k], p: [{ op: "add", path: `/s${k}`, value: big }] });
        }
      }),
  };
}

// ---- finding 2: version poisoning ------------------------------------------------------------------

/** An Open of the honest object claiming to hold the last version possible. */
export function poisonedHave(): Attack {
  return {
    name: "poisoned have",
    description: "an Open of the honest object whose have is 16 × Number.MAX_SAFE_INTEGER",
    run: (target) =>
      withLinks(target, async (open) => {
        const link = await open("poisoned-have");
        link.open(target.honest, { observed: true, capacity: 0, have: LAST_VERSION });
      }),
  };
}

/** An exposer elected for its own object that publishes a state with the last version possible. */
export function poisonedState(): Attack {
  return {
    name: "poisoned state",
    description: "an elected exposer publishes a state versioned 16 × Number.MAX_SAFE_INTEGER",
    run: (target) =>
      withLinks(target, async (open) => {
        const session = await electedExposer(open, "poisoner", target.patienceMs);
        session?.publish({ v: LAST_VERSION, s: true, d: "poison" });
      }),
  };
}

// ---- finding 3: compression ------------------------------------------------------------------------

/** A compressed payload of `bytes` that declares a tenth of its size. */
export function inflatePastDeclared(bytes: number): Attack {
  return rawFrames("inflate past declared", `a ${mib(bytes)} JSON string deflated, declaring ${mib(Math.floor(bytes / 10))}`, () => [
    tagInterestFrame(compressedPayload(utf8(`"${"a".repeat(bytes - 2)}"`), Math.floor(bytes / 10)), FLAG_COMPRESSED),
  ]);
}

/** "{}" deflated, declaring `declared` inflated bytes. */
export function inflateShortOfDeclared(declared: number): Attack {
  return rawFrames("inflate short of declared", `2 bytes deflated, declaring ${mib(declared)}`, () => [
    tagInterestFrame(compressedPayload(utf8("{}"), declared), FLAG_COMPRESSED),
  ]);
}

/** `count` tiny compressed frames in one message, each declaring `declared` inflated bytes. */
export function declaredSizeFlood(count: number, declared: number): Attack {
  return rawFrames("declared size flood", `${count.toLocaleString("en")} frames of a few bytes each declaring ${mib(declared)}`, () => {
    const frame = tagInterestFrame(compressedPayload(utf8("{}"), declared), FLAG_COMPRESSED);
    return Array.from({ length: count }, () => frame);
  });
}

/** An object session opened and ended by the book, then `count` frames for it. */
export function endedSessionFrames(count: number): Attack {
  return {
    name: "ended session frames",
    description: `${count.toLocaleString("en")} frames for an object session that ended`,
    run: (target) =>
      withLinks(target, async (open) => {
        const link = await open("ended-session");
        const session = link.open(attackerObject("ended"), { observed: true, capacity: 0 });
        session.abort();
        await link.flushed(); // the Open and its reset go first
        const frame: TestFrame = { session: session.session.session, lane: 0, label: 0, payload: "{}" };
        link.sendFrames(Array.from({ length: count }, () => frame));
      }),
  };
}

// ---- finding 4: deep JSON --------------------------------------------------------------------------

/** One compressed frame inflating to `[[[…]]]` of `bytes`. */
export function deepJson(bytes: number): Attack {
  const half = Math.floor(bytes / 2);
  return rawFrames("deep JSON", `one frame inflating to [[[…]]] of ${mib(2 * half)}`, () => {
    const deep = utf8("[".repeat(half) + "]".repeat(half));
    return [tagInterestFrame(compressedPayload(deep, deep.length), FLAG_COMPRESSED)];
  });
}

// ---- finding 5: Open floods and churn --------------------------------------------------------------

/** Bytes of Opens sent per turn of the event loop, so the floods stream instead of building one huge batch. */
const FLOOD_BYTES_PER_TURN = 1024 * 1024;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Waits until every session heard from the listener or ended (as they all do when their link ends), at most `ms`. */
async function answered(sessions: readonly WatchedSession[], heard: (session: WatchedSession) => boolean, ms: number): Promise<void> {
  await Promise.all(sessions.map((session) => session.until(() => heard(session) || session.ended, ms)));
}

/** `count` Opens of distinct observed objects, each descriptor about `descriptorBytes` of JSON. */
export function openFlood(count: number, descriptorBytes: number): Attack {
  return {
    name: descriptorBytes > 1024 ? `open flood of ${mib(descriptorBytes)} descriptors` : "open flood",
    description: `${count.toLocaleString("en")} Opens of observed objects with ${mib(descriptorBytes)} descriptors`,
    run: (target) =>
      withLinks(
        target,
        async (open) => {
          const link = await open("open-flood");
          const pad = "p".repeat(Math.max(0, descriptorBytes - 40));
          const perTurn = Math.max(1, Math.floor(FLOOD_BYTES_PER_TURN / descriptorBytes));
          const sessions: WatchedSession[] = [];
          for (let i = 0; i < count && !link.ended; i++) {
            sessions.push(link.open(new ObjectDescriptor(["attacker-flood"], { i, pad }), { observed: true, capacity: 0 }));
            if (i % perTurn === perTurn - 1) await nextTurn();
          }
          await answered(sessions, (session) => session.decided, target.patienceMs);
        },
        0,
      ),
  };
}

/** `cycles` times: Open the honest object as an observer, and Close it at once. */
export function openCloseChurn(cycles: number): Attack {
  return {
    name: "open-close churn",
    description: `${cycles.toLocaleString("en")} Opens of the honest object, each closed at once`,
    run: (target) =>
      withLinks(
        target,
        async (open) => {
          const link = await open("churn");
          const sessions: WatchedSession[] = [];
          for (let i = 0; i < cycles && !link.ended; i++) {
            const session = link.open(target.honest, { observed: true, capacity: 0 });
            session.session.lane("up").send("Close", {});
            sessions.push(session);
            if (i % 1000 === 999) await nextTurn();
          }
          await answered(sessions, (session) => session.closedByListener, target.patienceMs);
        },
        0,
      ),
  };
}

// ---- finding 6: a reader that stops reading --------------------------------------------------------

/**
 * A link that observes an object and stops reading, while the attacker's own exposer publishes up to
 * `states` states of `stateBytes` each (until the listener turns the reader away) and the stalled link
 * acknowledges them unread (it knows their versions), so flow control never holds the listener back:
 * whatever it sends piles up in its buffers.
 */
export function stalledReader(states: number, stateBytes: number): Attack {
  return {
    name: "stalled reader",
    description: `a link stops reading (acknowledging unread) while ${states} states of ${mib(stateBytes)} are published to it`,
    run: (target) =>
      withLinks(target, async (open) => {
        const object = attackerObject("stalled");
        // Its states go uncompressed: the listener compresses them for the reader all the same.
        const exposerLink = await open("stalled-exposer", "accomplice", { compression: false });
        const reader = await open("stalled-reader");
        const exposer = exposerLink.open(object, { observed: false, capacity: 1 });
        const stalled = reader.open(object, { observed: true, capacity: 0 });
        if (!(await exposer.until(() => exposer.needed || exposer.ended, target.patienceMs)) || exposer.ended) return;
        reader.stopReading();
        // Random-looking data so that compression does not shrink it away; a few variants, rotated.
        const variants = Array.from({ length: 4 }, (_, i) => noise(stateBytes, i));
        const over = () => exposer.ended || !exposer.needed || reader.turnedAway;
        for (let k = 1; k <= states; k++) {
          if (over()) break;
          exposer.publish({ v: [k], s: true, d: { k, noise: variants[k % variants.length]! } });
          // The reader acknowledges, unread, a version two behind: surely sent to it by now (an
          // acknowledgement of a version not in flight would free nothing), and it frees all before it.
          if (k > 2) stalled.session.lane("up").send("AckUp", { v: [k - 2] });
          await nextTurn();
        }
        // No one wants the states any more when the listener dropped the reader, their only observer:
        // the reader reads again, to see the listener's close at once.
        if (!exposer.needed) reader.resumeReading();
      }),
  };
}

/** `bytes` characters of pseudo-random base64 text (deterministic per `seed`). */
function noise(bytes: number, seed: number): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  let state = 0x9e3779b9 ^ seed;
  const out = new Array<string>(bytes);
  for (let i = 0; i < bytes; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    out[i] = alphabet[(state >>> 0) & 63]!;
  }
  return out.join("");
}

// ---- findings 7 and 8: sockets ---------------------------------------------------------------------

/** Sockets opened at once by the socket floods (more would overflow the listener's accept backlog). */
const SOCKETS_PER_BATCH = 250;

/**
 * Opens `count` raw TCP sockets to the listener, `batch` at a time, and lets `use` write to each; then
 * waits up to `patienceMs` for the listener to close them all. A socket the listener would not accept
 * counts as turned away.
 */
async function rawSockets(target: AttackTarget, count: number, batch: number, use: (client: RawTcpClient) => Promise<void> | void): Promise<AttackOutcome> {
  const port = Number(new URL(target.url).port);
  const clients: RawTcpClient[] = [];
  const leave = (): void => {
    for (const client of clients) client.destroy();
  };
  let refused = 0;
  try {
    for (let from = 0; from < count; from += batch) {
      const opened = await Promise.allSettled(Array.from({ length: Math.min(batch, count - from) }, () => RawTcpClient.open(port)));
      const fresh = opened.flatMap((each) => (each.status === "fulfilled" ? [each.value] : []));
      refused += opened.length - fresh.length;
      clients.push(...fresh);
      await Promise.all(fresh.map(use));
    }
  } catch (error) {
    leave();
    throw error;
  }
  const all = new Waitable();
  for (const client of clients) void client.closed.then(() => all.wake());
  await all.until(() => clients.every((client) => client.isClosed), target.patienceMs);
  const closed = clients.filter((client) => client.isClosed).length;
  return { attempts: clients.length + refused, turnedAway: closed + refused, names: clients.map((client) => client.peer), leave };
}

/** `connections` WebSocket connections each start a message of `messageBytes` and send `sentBytes` of it. */
export function unfinishedMessages(connections: number, messageBytes: number, sentBytes: number): Attack {
  const chunk = Math.min(sentBytes, 1024 * 1024);
  return {
    name: "unfinished messages",
    description: `${connections} connections each start a ${mib(messageBytes)} WebSocket message and send ${mib(sentBytes)} of it`,
    run: (target) =>
      rawSockets(target, connections, connections, async (client) => {
        if (!(await client.upgrade().then(() => true, () => false))) return;
        client.startMessage(messageBytes);
        const bytes = Buffer.alloc(chunk);
        for (let sent = 0; sent < sentBytes && !client.isClosed; sent += chunk) {
          const written = new Promise<void>((resolve) => client.socket.write(bytes.subarray(0, Math.min(chunk, sentBytes - sent)), () => resolve()));
          await Promise.race([written, client.closed]);
        }
      }),
  };
}

/** `count` sockets that connect and say nothing. */
export function idleSockets(count: number): Attack {
  return {
    name: "idle sockets",
    description: `${count.toLocaleString("en")} sockets that connect and never send a byte`,
    run: (target) => rawSockets(target, count, SOCKETS_PER_BATCH, () => {}),
  };
}

/** `count` sockets that start a WebSocket upgrade request and never finish its headers. */
export function unfinishedUpgrades(count: number): Attack {
  return {
    name: "unfinished upgrades",
    description: `${count.toLocaleString("en")} sockets that send half an upgrade request`,
    run: (target) =>
      rawSockets(target, count, SOCKETS_PER_BATCH, (client) => {
        client.socket.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n");
      }),
  };
}

// ---- the listener's side ---------------------------------------------------------------------------

/** The log lines that name one of the attack's links (by node name, or by address). */
export function linesAbout(lines: readonly string[], outcome: AttackOutcome): string[] {
  const names = new Set(outcome.names);
  return lines.filter((line) => {
    for (const match of line.matchAll(/child "([^"]*)"|(ws:\/\/127\.0\.0\.1:\d+)/g)) if (names.has(match[1] ?? match[2]!)) return true;
    return false;
  });
}
