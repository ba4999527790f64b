import type { JsonLimits, JsonSize, JsonValue } from "../descriptor/json-value.js";
import type { ObjectDescriptor } from "../descriptor/object-descriptor.js";
import { shortText } from "../descriptor/short-text.js";
import { measureData } from "../state/frozen-data.js";
import { DEFAULT_FORMAT, isJsonFormat, type ObjectState, sameFormat } from "../state/object-state.js";
import { compareVersions, type Version } from "../state/version.js";
import { applyPatchWithin, PatchApplyError, PatchLimitError } from "./json-patch/index.js";
import { recordDerivation } from "./state-encoding.js";
import type { AckPayload } from "./object-session.js";
import { StateLimitError } from "./state-limit-error.js";
import { BytesPatchError } from "./bytes-patch-error.js";
import { caughtMessage } from "./caught-error.js";
import type { LinkFormats } from "./link-formats.js";
import type { PathTable } from "./wire/path-dictionary.js";
import { StateDecodeError } from "./wire/state-decode-error.js";
import { decodeState } from "./wire/state-codec.js";
import type { DecodedState, WireState } from "./wire-state.js";

/** What a StateReceiver receives for: the object, the link's data limits, and the link's end. */
export interface ReceivingEnd {
  /** The object whose states these are (named in errors). */
  readonly descriptor: ObjectDescriptor;
  /** The link's data limits: every state made is within them. */
  readonly dataLimits: JsonLimits;
  /** The formats besides JSON whose diffs this side takes, and how it patches them; absent: none (their diffs are refused). */
  readonly formats?: LinkFormats;
  /** Ends the whole link with `reason` (a state broke the limits or could not be decoded). */
  abort(reason: string): void;
}

/**
 * Receives one object's states over one link in one direction, decoding them from the compact state wire
 * (wire/state-codec.ts) with the object session's table of interned paths. A diff is applied only to the
 * base it was made against (its check byte names it), a flag only to the version it names; otherwise (or
 * if the patch does not apply) the receiver asks for the full state instead of guessing, and then drops
 * every diff and flag until a full state arrives (they were made against a base it lacks), still taking
 * the path definitions they carry. A state that cannot be decoded ends the whole link with a
 * StateDecodeError's message.
 *
 * Every state it makes is within the link's data limits, whatever its form: a full state is measured
 * (cheaply: the decoder froze it, and its large containers remember their size), a patch is
 * refused before its result is kept if that would be over them (see applyPatchWithin), counted from the
 * size of the state held, which the receiver keeps: a patch costs no walk of the state it patches. A state
 * over the limits ends the whole link with a StateLimitError's message: the peer broke the limits this
 * side set. A state of any format but JSON is bytes, bounded by the limit on length. Its diffs come only
 * for a format this side listed in its handshake (any other is refused as undecodable): they are applied
 * with the codec's `patch` to the held bytes of the same format, within a guard: a patch that throws or
 * returns anything but bytes ends the link with a BytesPatchError's message, a result over the limit on
 * length with a StateLimitError's. A diff against a held state of another format asks for the full state.
 */
export class StateReceiver implements PathTable {
  /** The state this side holds for the link (the base the sender diffs against). */
  held: ObjectState<unknown> | undefined;
  /** The paths the peer interned for this object session, by index (kept across restart()). */
  readonly paths: string[] = [];
  /** The JSON length of `held`'s data once known (measured when a state was made here, or when first needed); -1: not known. */
  private heldLength = -1;
  /** The depth of `held`'s data, when `heldLength` is known. */
  private heldDepth = 0;
  /** A full state was asked for: diffs and flags are dropped until it arrives. */
  private awaitingFull = false;

  /**
   * @param end the object, the link's data limits, and the link's end (a state that breaks the limits or
   *   cannot be decoded ends the link)
   * @param held the state held at the start (the base of the peer's first diff)
   */
  constructor(
    private readonly end: ReceivingEnd,
    held?: ObjectState<unknown>,
  ) {
    this.held = held;
  }

  /** Starts over from `held` (the base of the peer's next diff), keeping the paths the peer defined. */
  restart(held: ObjectState<unknown> | undefined): void {
    this.held = held;
    this.heldLength = -1;
    this.awaitingFull = false;
  }

  /**
   * Decodes and applies `bytes`; returns the new state (or undefined if a full state is needed) and the
   * acknowledgement to send, or undefined when the state could not be decoded or broke the link's data
   * limits, and the link is ending.
   */
  receive(bytes: WireState): { state: ObjectState<unknown> | undefined; ack: AckPayload } | undefined {
    const held = this.held;
    const end = this.end;
    const limits = end.dataLimits;
    let wire: DecodedState | undefined;
    try {
      wire = decodeState(bytes, this.awaitingFull ? undefined : held?.version, this, end.descriptor, end.formats);
    } catch (error) {
      if (!(error instanceof StateDecodeError)) throw error;
      end.abort(error.message);
      return undefined;
    }
    let state: ObjectState<unknown> | undefined;
    let size: JsonSize | undefined;
    if (wire === undefined) {
      // A diff against a base this side lacks: ask for the full state.
    } else if (wire.d instanceof Uint8Array) {
      const length = wire.d.length;
      if (length > limits.maxLength) return this.refuse(new StateLimitError(end.descriptor, length, 0, limits, false, true));
      size = { length, depth: 0 };
      state = stateOf(wire.v, wire.f!, wire.d, wire.s, wire.e);
    } else if (wire.d !== undefined) {
      size = measureData(wire.d);
      if (size.length > limits.maxLength || size.depth > limits.maxDepth) {
        return this.refuse(new StateLimitError(end.descriptor, size.length, size.depth, limits, false));
      }
      state = stateOf(wire.v, wire.f ?? DEFAULT_FORMAT, wire.d, wire.s, wire.e);
    } else if (held !== undefined && !this.awaitingFull) {
      if (wire.x !== undefined) {
        if (held.data instanceof Uint8Array && sameFormat(held.format, wire.f!)) {
          const patched = this.patchBytes(held.format, held.data, wire.x);
          if (patched === undefined) return undefined;
          size = { length: patched.length, depth: 0 };
          state = stateOf(wire.v, held.format, patched, wire.s, wire.e);
          recordDerivation(state, held, wire.x);
        }
      } else if (wire.p === undefined) {
        if (compareVersions(held.version, wire.v) === 0) state = stateOf(held.version, held.format, held.data, wire.s, wire.e);
      } else if (isJsonFormat(held.format)) {
        try {
          // Frozen by applyPatchWithin (only what the patch made is new); the decoder made the values as JSON.
          const base = held.data as JsonValue;
          const patched = applyPatchWithin(base, this.heldLength < 0 ? measureData(base) : { length: this.heldLength, depth: this.heldDepth }, wire.p, limits);
          size = patched.size;
          state = stateOf(wire.v, wire.f ?? DEFAULT_FORMAT, patched.data, wire.s, wire.e);
          recordDerivation(state, held, wire.p);
        } catch (error) {
          if (error instanceof PatchLimitError) return this.refuse(new StateLimitError(end.descriptor, error.length, error.depth, limits, true));
          // A patch that does not fit the held state: ask for the full state.
          if (!(error instanceof PatchApplyError)) throw error;
        }
      }
    }
    if (state === undefined) {
      this.awaitingFull = true;
      return { state, ack: held === undefined ? { resync: true } : { v: held.version, resync: true } };
    }
    this.awaitingFull = false;
    this.held = state;
    if (size === undefined) {
      if (state.data !== held?.data) this.heldLength = -1;
    } else {
      this.heldLength = size.length;
      this.heldDepth = size.depth;
    }
    return { state, ack: { v: state.version } };
  }

  /**
   * `base`, bytes of `format`, patched with `diff` by the format's codec, or undefined when the codec
   * failed or the result is over the link's limit on length (the link is then ending).
   */
  private patchBytes(format: readonly string[], base: Uint8Array, diff: Uint8Array): Uint8Array | undefined {
    const end = this.end;
    const name = format[format.length - 1]!;
    // decodeState took the diff only for a format this side listed, so its pair is there.
    const pair = end.formats!.from(name)!;
    let patched: unknown;
    try {
      patched = pair.patch(base, diff);
    } catch (error) {
      return this.refuse(new BytesPatchError(end.descriptor, name, `it threw ${shortText(caughtMessage(error))}`));
    }
    if (!(patched instanceof Uint8Array)) return this.refuse(new BytesPatchError(end.descriptor, name, `it returned ${shortText(String(patched))}, not a Uint8Array`));
    const limits = end.dataLimits;
    if (patched.length > limits.maxLength) return this.refuse(new StateLimitError(end.descriptor, patched.length, 0, limits, true, true));
    return patched;
  }

  /** Ends the link for a state it refuses. */
  private refuse(error: StateLimitError | BytesPatchError): undefined {
    this.end.abort(error.message);
    return undefined;
  }
}

/** A state in epoch `e` (absent: 0, as on the wire), made as one literal of one of two shapes. */
function stateOf(version: Version, format: readonly string[], data: unknown, synchronized: boolean, e: number | undefined): ObjectState<unknown> {
  return e === undefined ? { version, format, data, synchronized } : { version, format, data, synchronized, epoch: e };
}
