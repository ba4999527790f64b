import { CodecError } from "../lib/choreography/errors.js";
import { BindingOptionsError } from "./binding-options-error.js";
import { MAX_VARUINT, readVarUint, varUintSize, writeVarUint } from "./varint.js";

/**
 * Default largest window: what one connection may have in flight on a fast, idle path (a few thousand
 * small states per round trip). The window in force adapts below it (see FlowWindow).
 */
export const DEFAULT_FLOW_WINDOW_BYTES = 256 * 1024;

/** The smallest window: a few states, so that a link whose peer is slow still moves. */
export const MIN_FLOW_WINDOW_BYTES = 1024;

/** The window a connection starts with, before its first round trip is measured. */
export const INITIAL_FLOW_WINDOW_BYTES = 16 * 1024;

/**
 * Queueing delay (a round trip beyond the shortest one seen lately) a connection aims to stay under,
 * in milliseconds. Over it, the window shrinks: the peer, or the path, is slower than what is sent, and
 * what would wait in buffers is better held back as each object's latest state only. Two hops of a tree
 * at this delay keep observers within about ten milliseconds of their exposer.
 */
export const TARGET_QUEUE_DELAY_MS = 2;

/** How long the shortest round trip is remembered (a path that got slower for good is learnt again). */
const BASE_RTT_PERIOD_MS = 10_000;

/**
 * How often a link that never fills a quarter of its window still asks for a receipt: its round trips
 * while lightly loaded are the path's own, the base that queueing is measured from once it is busy.
 */
export const IDLE_SAMPLE_MS = 1000;

/**
 * Round-trip samples the current delay is the shortest of: a lone late sample (a process that was not
 * scheduled for a moment) is noise, a queue shows in every sample.
 */
const CURRENT_SAMPLES = 4;

/** Most receipt requests remembered while unanswered (older ones are forgotten, their samples lost). */
const MAX_PROBES = 16;

/** One frame that asked for a receipt: the sent-byte count up to and including it, and when it went. */
interface Probe {
  readonly upTo: number;
  readonly at: number;
}

/**
 * A connection's flow window, counted in the bytes of frames (headers and payloads; receipts are not
 * counted). A layer above holds its own sends back while `unacknowledged` is over `windowBytes`.
 *
 * The sender asks for receipts (a flag on one of its frames) once a quarter of its window is
 * unacknowledged, about once per round trip or per half window, and the reader answers each request with a receipt for every byte it has handed to its
 * consumer, once the message that carried the request is read; it sends none unasked. So the sender
 * alone decides how often receipts come, and the two sides need not agree on anything.
 *
 * The window in force adapts, as LEDBAT does: each receipt gives a round-trip sample; the shortest of
 * the last few seconds is the path's own, and the shortest of the last few samples beyond it is
 * queueing. Above TARGET_QUEUE_DELAY_MS
 * the window halves (once per round trip); below it, while the window was in use, it grows by a quarter,
 * up to the largest window configured. A fast peer thus gets a large window (throughput), a slow one a
 * small window (what it has not read yet stays a few milliseconds of states, never seconds).
 */
export class FlowWindow {
  /** The largest window this side may grow to. */
  readonly maxWindowBytes: number;
  #window = INITIAL_FLOW_WINDOW_BYTES;
  /** Bytes sent so far, and bytes the peer receipted so far. */
  #sent = 0;
  #receipted = 0;
  /** `#sent` when a receipt was last asked for, and when (by the clock). */
  #requestedAt = 0;
  #requestedTime: number;
  /** Requests not receipted yet, oldest first. */
  #probes: Probe[] = [];
  /** The shortest round trip of the current and the previous period, and when the current one began. */
  #baseRtt = Number.POSITIVE_INFINITY;
  #previousBaseRtt = Number.POSITIVE_INFINITY;
  #periodStart: number;
  /**
   * The last CURRENT_SAMPLES round trips, as a ring (Infinity: none yet, which no minimum picks). Made
   * at its full length: an array grown by its first write would reserve room for seventeen.
   */
  readonly #samples: number[] = new Array<number>(CURRENT_SAMPLES).fill(Number.POSITIVE_INFINITY);
  #nextSample = 0;
  /** `#sent` when the window last shrank: samples of frames sent before it say nothing new. */
  #shrunkAt = 0;
  /** Reader side: bytes handed over and not receipted yet, and whether the peer asked for a receipt. */
  #unreceipted = 0;
  #owed = false;

  /**
   * Throws BindingOptionsError unless `maxWindowBytes` is a whole number of bytes from
   * MIN_FLOW_WINDOW_BYTES to MAX_VARUINT.
   * @param now a clock in milliseconds (performance.now by default)
   */
  constructor(
    maxWindowBytes: number = DEFAULT_FLOW_WINDOW_BYTES,
    private readonly now: () => number = performanceNow,
  ) {
    if (!Number.isInteger(maxWindowBytes) || maxWindowBytes < MIN_FLOW_WINDOW_BYTES || maxWindowBytes > MAX_VARUINT) {
      throw new BindingOptionsError(
        `flowWindowBytes must be an integer from ${MIN_FLOW_WINDOW_BYTES} to ${MAX_VARUINT}, got ${String(maxWindowBytes)}.`,
      );
    }
    this.maxWindowBytes = maxWindowBytes;
    this.#window = Math.min(INITIAL_FLOW_WINDOW_BYTES, maxWindowBytes);
    this.#periodStart = this.#requestedTime = now();
  }

  /** The window in force: how many bytes may be unacknowledged before senders hold back. */
  get windowBytes(): number {
    return this.#window;
  }

  /** Bytes sent (or queued to be) that the peer has not receipted yet. */
  get unacknowledged(): number {
    return this.#sent - this.#receipted;
  }

  /**
   * This side is about to queue a frame of `bytes`; returns whether that frame should ask for a receipt:
   * once a quarter of the window is unacknowledged, when no request is unanswered or half a window went
   * since the last one; and, with none unanswered, once IDLE_SAMPLE_MS passed since the last request.
   */
  sending(bytes: number): boolean {
    const sent = (this.#sent += bytes);
    let now: number | undefined;
    if (this.#probes.length > 0) {
      if (sent - this.#requestedAt < this.#window / 2) return false;
    } else if (sent - this.#receipted < this.#window / 4) {
      // A link far below its window needs no receipt yet (an observer of 200 updates a second would
      // otherwise answer each one, and its router read as many receipts as it sends states), but one
      // now and then measures its round trip while it is light.
      now = this.now();
      if (now - this.#requestedTime < IDLE_SAMPLE_MS) return false;
    }
    now ??= this.now();
    this.#requestedAt = sent;
    this.#requestedTime = now;
    if (this.#probes.length >= MAX_PROBES) this.#probes.shift();
    this.#probes.push({ upTo: sent, at: now });
    return true;
  }

  /**
   * This side handed frames of `bytes` to its consumer, `wanted` whether one of them asked for a
   * receipt; returns the receipt to send now (the payload of a receipt frame), or undefined when none
   * was asked for since the last one.
   */
  received(bytes: number, wanted: boolean): Uint8Array | undefined {
    const unreceipted = (this.#unreceipted += bytes);
    this.#owed ||= wanted;
    if (!this.#owed || unreceipted === 0) return undefined;
    this.#owed = false;
    this.#unreceipted = 0;
    const receipt = new Uint8Array(varUintSize(unreceipted));
    writeVarUint(receipt, 0, unreceipted);
    return receipt;
  }

  /**
   * Takes the peer's receipt `payload` and adapts the window to the round trip it closes. Throws a
   * CodecError for one that is not a single varint of at least one byte, or that receipts more than this
   * side sent (a peer that lies about what it read).
   */
  receipted(payload: Uint8Array): void {
    const cursor = { bytes: payload, pos: 0 };
    const bytes = readVarUint(cursor);
    if (cursor.pos !== payload.length || bytes === 0) {
      throw new CodecError(`Malformed receipt: its payload must be one varint of at least 1 byte, got ${payload.length} bytes.`);
    }
    const unacknowledged = this.#sent - this.#receipted;
    if (bytes > unacknowledged) {
      throw new CodecError(`A receipt for ${bytes} bytes came when only ${unacknowledged} were sent and not receipted.`);
    }
    const receipted = (this.#receipted += bytes);
    let answered: Probe | undefined;
    const probes = this.#probes;
    while (probes.length > 0 && probes[0]!.upTo <= receipted) answered = probes.shift();
    if (answered !== undefined) this.#adapt(answered, unacknowledged);
  }

  /** A round trip closed: `probe` was answered while `inFlight` bytes were unacknowledged. */
  #adapt(probe: Probe, inFlight: number): void {
    const now = this.now();
    const rtt = now - probe.at;
    if (now - this.#periodStart > BASE_RTT_PERIOD_MS) {
      this.#previousBaseRtt = this.#baseRtt;
      this.#baseRtt = Number.POSITIVE_INFINITY;
      this.#periodStart = now;
    }
    if (rtt < this.#baseRtt) this.#baseRtt = rtt;
    const samples = this.#samples;
    samples[this.#nextSample] = rtt;
    this.#nextSample = (this.#nextSample + 1) % CURRENT_SAMPLES;
    const queueing = Math.min(...samples) - Math.min(this.#baseRtt, this.#previousBaseRtt);
    if (queueing > TARGET_QUEUE_DELAY_MS) {
      // Halving, with a request every half window, keeps what no request covers within the new window:
      // a sender held back always has a receipt coming.
      if (probe.upTo > this.#shrunkAt) {
        this.#window = Math.max(MIN_FLOW_WINDOW_BYTES, Math.floor(this.#window / 2));
        this.#shrunkAt = this.#sent;
      }
    } else if (inFlight >= this.#window / 2) {
      this.#window = Math.min(this.maxWindowBytes, this.#window + Math.ceil(this.#window / 4));
    }
  }
}

/** The default clock, one function for every window (a default written as an arrow would make one per window). */
function performanceNow(): number {
  return performance.now();
}
