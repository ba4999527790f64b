import type { ObjectDescriptor } from "../descriptor/object-descriptor.js";
import type { Exchange } from "../exchange/exchange.js";
import type { ObjectState } from "../state/object-state.js";
import type { Codec } from "./codec.js";
import { CodecDecodeError } from "./codec-decode-error.js";

/** What a failed decoding leaves in the cache: the bytes stay the data. */
const FAILED: unique symbol = Symbol("decoding failed");

/**
 * An observing contract's view of states through its codec: a state whose outermost format is the
 * codec's and whose data is bytes is handed out with `codec.decode(bytes)` as data; any other state as it
 * is. Decoding happens once per state for the contract, however many subscribers and reads it has, and a
 * state that differs only in its synchronized flag or epoch reuses the value decoded for its bytes. A
 * decoding that throws is reported to the node's error sink (a CodecDecodeError, after the running exchange
 * operation, as every event) once, and the state stays bytes.
 * Decoded values are shared by the contract's subscribers, as states are: do not change them.
 */
export class StateDecoder {
  /** Decoded states by the state they were made from. */
  private readonly states = new WeakMap<ObjectState<unknown>, ObjectState<unknown>>();
  /** Decoded values by the bytes they were decoded from (FAILED: the codec threw). */
  private readonly values = new WeakMap<Uint8Array, unknown>();

  constructor(
    private readonly codec: Codec<unknown>,
    private readonly exchange: Exchange,
  ) {}

  /** `state` as the contract hands it out (see the class). */
  decoded(descriptor: ObjectDescriptor, state: ObjectState<unknown>): ObjectState<unknown>;
  decoded(descriptor: ObjectDescriptor, state: ObjectState<unknown> | undefined): ObjectState<unknown> | undefined;
  decoded(descriptor: ObjectDescriptor, state: ObjectState<unknown> | undefined): ObjectState<unknown> | undefined {
    if (state === undefined) return undefined;
    const bytes = state.data;
    if (!(bytes instanceof Uint8Array) || state.format[state.format.length - 1] !== this.codec.format) return state;
    let decoded = this.states.get(state);
    if (decoded !== undefined) return decoded;
    const value = this.valueOf(descriptor, bytes);
    decoded = value === FAILED ? state : { ...state, data: value };
    this.states.set(state, decoded);
    return decoded;
  }

  private valueOf(descriptor: ObjectDescriptor, bytes: Uint8Array): unknown {
    if (this.values.has(bytes)) return this.values.get(bytes);
    let value: unknown;
    try {
      value = this.codec.decode(bytes);
    } catch (error) {
      value = FAILED;
      const exchange = this.exchange;
      const failure = new CodecDecodeError(descriptor, this.codec.format, error);
      exchange.defer(() => exchange.reportError(failure, `decoding a state of ${descriptor.toString()}`));
    }
    this.values.set(bytes, value);
    return value;
  }
}
