import type { Carrier, CarrierHandlers } from "./carrier.js";
import { CarrierClosedError } from "./carrier-closed-error.js";
import { CarrierInbox } from "./carrier-inbox.js";

/** Which way a message travels on a memory link: from end `a` to end `b`, or back. */
export type MemoryDirection = "aToB" | "bToA";

/**
 * Damages a message in flight: mutate `bytes` in place, or return replacement bytes (e.g. a
 * truncated copy). Used to prove that receivers validate what they decode.
 */
export type MemoryCorruption = (bytes: Uint8Array, direction: MemoryDirection) => Uint8Array | void;

/** Traffic seen in one direction of a memory link, for tests that count frames or bytes. */
export interface MemoryTrafficCounters {
  /** Messages handed to `send()`, including ones later lost to a drop or cut. */
  readonly messagesSent: number;
  /** Bytes handed to `send()`. */
  readonly bytesSent: number;
  /** Messages handed to the receiving end (after delay, pause and corruption). */
  readonly messagesDelivered: number;
  /** Bytes handed to the receiving end. */
  readonly bytesDelivered: number;
}

/** Options of `createMemoryCarrierPair`. */
export interface MemoryCarrierPairOptions {
  /** Name used in `peer` strings ("memory#N" by default). */
  readonly name?: string;
  /** Initial one-way latency in milliseconds in both directions (0: next microtask). */
  readonly delayMs?: number;
}

/**
 * Deterministic network faults for a memory link, driven by tests. Timers go through the global
 * `setTimeout`, so vitest fake timers control delays.
 */
export interface MemoryFaults {
  /** Sets the one-way latency for messages sent from now on (both directions unless one is given). Order is kept. */
  delay(ms: number, direction?: MemoryDirection): void;
  /** The network dies: in-flight messages are lost and both ends close with byPeer=true and this reason. */
  cut(reason?: string): void;
  /**
   * The connection goes half-open (both directions unless one is given): nothing is delivered that
   * way any more, not even a close, and nobody is told (only a keep-alive could notice). Permanent;
   * local `close()` and `cut()` still work.
   */
  drop(direction?: MemoryDirection): void;
  /** Damages every message sent from now on (`undefined` stops corrupting). See `bitFlipCorruption`. */
  corrupt(corruption: MemoryCorruption | undefined): void;
  /** Holds delivery (both directions unless one is given); senders' bufferedAmount grows meanwhile. */
  pause(direction?: MemoryDirection): void;
  /** Releases held messages, in order. */
  resume(direction?: MemoryDirection): void;
  /** Live traffic counters per direction. */
  readonly counters: Readonly<Record<MemoryDirection, MemoryTrafficCounters>>;
  /** Zeroes every counter. */
  resetCounters(): void;
}

/** Two connected in-memory carriers and the faults that can be inflicted on the link between them. */
export interface MemoryLink {
  readonly a: Carrier;
  readonly b: Carrier;
  readonly faults: MemoryFaults;
}

let linkCount = 0;

/**
 * Creates a connected pair of in-memory carriers: asynchronous, ordered, message-preserving delivery
 * with fault injection, so every layer above can be tested without sockets.
 */
export function createMemoryCarrierPair(options: MemoryCarrierPairOptions = {}): MemoryLink {
  const link = new Link(options.name ?? `memory#${++linkCount}`, options.delayMs ?? 0);
  return { a: link.a, b: link.b, faults: link };
}

/** One message (or the sender's close) travelling through the link. */
interface InFlight {
  readonly bytes: Uint8Array | undefined;
  /** Set for the close marker: the reason the receiving end reports. */
  readonly closeReason: string | undefined;
  ready: boolean;
}

class Counters implements MemoryTrafficCounters {
  messagesSent = 0;
  bytesSent = 0;
  messagesDelivered = 0;
  bytesDelivered = 0;
}

/** One direction of the link: a FIFO whose head is delivered once it is ready and not paused. */
class Lane {
  readonly counters = new Counters();
  readonly timers = new Set<ReturnType<typeof setTimeout>>();
  queue: InFlight[] = [];
  head = 0;
  bufferedAmount = 0;
  delayMs: number;
  paused = false;
  /** After drop() or cut(): nothing travels this way any more. */
  dead = false;
  flushScheduled = false;

  constructor(
    readonly direction: MemoryDirection,
    delayMs: number,
  ) {
    this.delayMs = delayMs;
  }

  discard(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.queue = [];
    this.head = 0;
    this.bufferedAmount = 0;
  }
}

class Link implements MemoryFaults {
  readonly a: MemoryEnd;
  readonly b: MemoryEnd;
  readonly #lanes: Record<MemoryDirection, Lane>;
  #corruption: MemoryCorruption | undefined;

  constructor(name: string, delayMs: number) {
    assertDelay(delayMs);
    this.a = new MemoryEnd(this, "aToB", `${name}:b`);
    this.b = new MemoryEnd(this, "bToA", `${name}:a`);
    this.#lanes = { aToB: new Lane("aToB", delayMs), bToA: new Lane("bToA", delayMs) };
  }

  get counters(): Readonly<Record<MemoryDirection, MemoryTrafficCounters>> {
    return { aToB: this.#lanes.aToB.counters, bToA: this.#lanes.bToA.counters };
  }

  resetCounters(): void {
    for (const lane of this.#bothLanes()) Object.assign(lane.counters, new Counters());
  }

  delay(ms: number, direction?: MemoryDirection): void {
    assertDelay(ms);
    for (const lane of this.#lanesFor(direction)) lane.delayMs = ms;
  }

  cut(reason = "connection cut"): void {
    this.drop();
    this.a.closedByPeer(reason);
    this.b.closedByPeer(reason);
  }

  drop(direction?: MemoryDirection): void {
    for (const lane of this.#lanesFor(direction)) {
      lane.dead = true;
      lane.discard();
    }
  }

  corrupt(corruption: MemoryCorruption | undefined): void {
    this.#corruption = corruption;
  }

  pause(direction?: MemoryDirection): void {
    for (const lane of this.#lanesFor(direction)) lane.paused = true;
  }

  resume(direction?: MemoryDirection): void {
    for (const lane of this.#lanesFor(direction)) {
      lane.paused = false;
      this.#scheduleFlush(lane);
    }
  }

  bufferedAmount(direction: MemoryDirection): number {
    return this.#lanes[direction].bufferedAmount;
  }

  /** Puts one message (copied, so the sender may reuse its buffer) on the wire. */
  transmit(direction: MemoryDirection, bytes: Uint8Array): void {
    const lane = this.#lanes[direction];
    lane.counters.messagesSent++;
    lane.counters.bytesSent += bytes.byteLength;
    if (lane.dead) return;
    let copy: Uint8Array = bytes.slice();
    if (this.#corruption !== undefined) copy = this.#corruption(copy, direction) ?? copy;
    this.#enqueue(lane, { bytes: copy, closeReason: undefined, ready: false });
  }

  /** Tells the other end, after every message already sent, that this end closed. */
  transmitClose(direction: MemoryDirection, reason: string): void {
    const lane = this.#lanes[direction];
    if (lane.dead) return;
    this.#enqueue(lane, { bytes: undefined, closeReason: reason, ready: false });
  }

  #enqueue(lane: Lane, entry: InFlight): void {
    lane.queue.push(entry);
    if (entry.bytes !== undefined) lane.bufferedAmount += entry.bytes.byteLength;
    if (lane.delayMs === 0) {
      entry.ready = true;
      this.#scheduleFlush(lane);
      return;
    }
    const timer = setTimeout(() => {
      lane.timers.delete(timer);
      entry.ready = true;
      this.#flush(lane);
    }, lane.delayMs);
    lane.timers.add(timer);
  }

  #scheduleFlush(lane: Lane): void {
    if (lane.flushScheduled) return;
    lane.flushScheduled = true;
    queueMicrotask(() => {
      lane.flushScheduled = false;
      this.#flush(lane);
    });
  }

  #flush(lane: Lane): void {
    const receiver = lane.direction === "aToB" ? this.b : this.a;
    while (!lane.paused && !lane.dead && lane.head < lane.queue.length) {
      const entry = lane.queue[lane.head] as InFlight;
      if (!entry.ready) return;
      lane.queue[lane.head++] = DELIVERED;
      if (entry.bytes === undefined) {
        receiver.closedByPeer(entry.closeReason ?? "closed by peer");
        continue;
      }
      lane.bufferedAmount -= entry.bytes.byteLength;
      if (receiver.state === "closed") continue;
      lane.counters.messagesDelivered++;
      lane.counters.bytesDelivered += entry.bytes.byteLength;
      receiver.receive(entry.bytes);
    }
    if (lane.head === lane.queue.length) {
      lane.queue.length = 0;
      lane.head = 0;
    }
  }

  #lanesFor(direction: MemoryDirection | undefined): Lane[] {
    return direction === undefined ? this.#bothLanes() : [this.#lanes[direction]];
  }

  #bothLanes(): Lane[] {
    return [this.#lanes.aToB, this.#lanes.bToA];
  }
}

const DELIVERED: InFlight = { bytes: undefined, closeReason: undefined, ready: true };

/** One end of a memory link. */
class MemoryEnd implements Carrier {
  readonly peer: string;
  readonly #link: Link;
  readonly #outbound: MemoryDirection;
  readonly #inbox: CarrierInbox;
  #closeReason: string | undefined;

  constructor(link: Link, outbound: MemoryDirection, peer: string) {
    this.peer = peer;
    this.#link = link;
    this.#outbound = outbound;
    this.#inbox = new CarrierInbox(peer, (error) => this.#fail(error));
  }

  get state(): "open" | "closed" {
    return this.#closeReason === undefined ? "open" : "closed";
  }

  get bufferedAmount(): number {
    return this.#link.bufferedAmount(this.#outbound);
  }

  attach(handlers: CarrierHandlers): void {
    this.#inbox.attach(handlers);
  }

  send(bytes: Uint8Array): void {
    if (this.#closeReason !== undefined) throw new CarrierClosedError(this.peer, this.#closeReason);
    this.#link.transmit(this.#outbound, bytes);
  }

  close(reason?: string): void {
    if (this.#closeReason !== undefined) return;
    this.#closeReason = reason ?? "closed";
    this.#inbox.end({ reason: this.#closeReason, byPeer: false }, true);
    this.#link.transmitClose(this.#outbound, reason ?? "closed by peer");
  }

  /** A message arrived from the peer. */
  receive(bytes: Uint8Array): void {
    this.#inbox.message(bytes);
  }

  /** The peer's close arrived after all its messages, or the network under the link died. */
  closedByPeer(reason: string): void {
    if (this.#closeReason !== undefined) return;
    this.#closeReason = reason;
    this.#inbox.end({ reason, byPeer: true }, false);
  }

  #fail(error: Error): void {
    if (this.#closeReason !== undefined) return;
    this.#closeReason = `message handler threw: ${error.message}`;
    this.#inbox.end({ reason: this.#closeReason, byPeer: false, error }, true);
    this.#link.transmitClose(this.#outbound, "peer failed");
  }
}

function assertDelay(ms: number): void {
  if (!Number.isFinite(ms) || ms < 0) {
    throw new RangeError(`Memory link delay must be a finite number of milliseconds >= 0, got ${ms}.`);
  }
}
