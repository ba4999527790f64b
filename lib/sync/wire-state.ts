import { schema } from "../choreography/index.js";
import type { JsonValue } from "../descriptor/json-value.js";
import type { Version } from "../state/version.js";
import type { PatchOperation } from "./json-patch/index.js";

/**
 * One object state as it goes over a link (the payload of StateUp and StateDown): the bytes of the
 * compact state wire (wire/state-codec.ts). Its meaning depends on the object session's history (the
 * paths interned so far, the state the receiver holds), so the session's receiver decodes it.
 */
export type WireState = Uint8Array;

/**
 * Checks a state from the network is bytes (the binding hands a binary frame over as bytes of its own);
 * what they say is checked as the session's receiver decodes them (a StateDecodeError closes the link).
 */
export const wireStateSchema = schema((value): WireState => {
  if (!(value instanceof Uint8Array)) throw new TypeError("State must be bytes of the compact state wire (link protocol 7)");
  return value;
}, "State");

/**
 * A state as the receiver decoded it from the compact state wire, in one of three forms:
 * - full: `d` is the data;
 * - diff: `p` is a JSON Patch from the state the receiver holds (the wire's implicit base), or for a
 *   format other than JSON `x`, the bytes of its codec's diff (Codec.diff) from that state's bytes;
 * - flag: neither, only `s` (or `e`) changed for the version `v` the receiver holds.
 * `e` is the epoch of the election the state belongs to (absent: 0; see ObjectState.epoch).
 */
export interface DecodedState {
  readonly v: Version;
  /** The epoch, when not 0. */
  readonly e?: number | undefined;
  readonly s: boolean;
  /** The format stack, when not the default ["JSON"]. */
  readonly f?: readonly string[] | undefined;
  /**
   * A full state's data: for the JSON format, frozen and checked as JSON (see dataField); for any other,
   * its bytes (a copy of its own).
   */
  readonly d?: JsonValue | Uint8Array;
  readonly p?: readonly PatchOperation[];
  readonly x?: Uint8Array;
}
