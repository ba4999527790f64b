import type { JsonLimits, JsonSize, JsonValue } from "../descriptor/json-value.js";
import type { ObjectDescriptor } from "../descriptor/object-descriptor.js";
import { measureData } from "../state/frozen-data.js";
import { DEFAULT_FORMAT, type ObjectState } from "../state/object-state.js";
import { compareVersions } from "../state/version.js";
import { applyPatchWithin, PatchApplyError, PatchLimitError } from "./json-patch/index.js";
import type { EndableSession } from "./link-ending.js";
import { recordDerivation } from "./state-encoding.js";
import type { AckPayload } from "./object-session.js";
import { StateLimitError } from "./state-limit-error.js";
import type { WireState } from "./wire-state.js";

/**
 * Receives one object's states over one link in one direction. A diff or flag is applied only to the
 * exact base version it was made against; otherwise (or if the patch does not apply) the receiver asks
 * for the full state instead of guessing.
 *
 * Every state it makes is within the link's data limits, whatever its form: a full state is measured
 * (cheaply: the decoder's schema froze it, and its large containers remember their size), a patch is
 * refused before its result is kept if that would be over them (see applyPatchWithin), counted from the
 * size of the state held, which the receiver keeps: a patch costs no walk of the state it patches. A state
 * over the limits ends the whole link with a StateLimitError's message: the peer broke the limits this
 * side set.
 */
export class StateReceiver {
  /** The state this side holds for the link (the base the sender diffs against). */
  held: ObjectState<unknown> | undefined;
  /** The size of `held`'s data once known (measured when a state was made here, or when first needed). */
  private heldSize: JsonSize | undefined;

  /**
   * @param object the object whose states these are (named in errors)
   * @param limits the link's data limits
   * @param link the link's control session, ended when a state breaks the limits
   */
  constructor(
    private readonly object: ObjectDescriptor,
    private readonly limits: JsonLimits,
    private readonly link: EndableSession,
    held?: ObjectState<unknown>,
  ) {
    this.held = held;
  }

  /**
   * Applies `wire`; returns the new state (or undefined if a full state is needed) and the acknowledgement
   * to send, or undefined when the state broke the link's data limits and the link is ending.
   */
  receive(wire: WireState): { state: ObjectState<unknown> | undefined; ack: AckPayload } | undefined {
    const held = this.held;
    const limits = this.limits;
    let state: ObjectState<unknown> | undefined;
    let size = this.heldSize;
    if (wire.d !== undefined) {
      size = measureData(wire.d);
      if (size.length > limits.maxLength || size.depth > limits.maxDepth) {
        return this.refuse(new StateLimitError(this.object, size.length, size.depth, limits, false));
      }
      state = stamped({ version: wire.v, format: wire.f ?? DEFAULT_FORMAT, data: wire.d, synchronized: wire.s }, wire.e);
    } else if (held !== undefined && compareVersions(held.version, wire.p !== undefined ? wire.b! : wire.v) === 0) {
      if (wire.p === undefined) {
        state = stamped({ version: held.version, format: held.format, data: held.data, synchronized: wire.s }, wire.e);
      } else {
        try {
          // Frozen by applyPatchWithin (only what the patch made is new); values were checked by parsePatch.
          const base = held.data as JsonValue;
          const patched = applyPatchWithin(base, size ?? measureData(base), wire.p, limits);
          size = patched.size;
          state = stamped({ version: wire.v, format: wire.f ?? DEFAULT_FORMAT, data: patched.data, synchronized: wire.s }, wire.e);
          recordDerivation(state, held, wire.p);
        } catch (error) {
          if (error instanceof PatchLimitError) return this.refuse(new StateLimitError(this.object, error.length, error.depth, limits, true));
          // A patch that does not fit the held state: ask for the full state.
          if (!(error instanceof PatchApplyError)) throw error;
        }
      }
    }
    if (state === undefined) return { state, ack: held === undefined ? { resync: true } : { v: held.version, resync: true } };
    this.held = state;
    this.heldSize = size;
    return { state, ack: { v: state.version } };
  }

  /** Ends the link for a state over its limits. */
  private refuse(error: StateLimitError): undefined {
    this.link.abort(error.message);
    return undefined;
  }
}

/** `state` in epoch `e` (absent: 0, as on the wire). */
function stamped(state: ObjectState<unknown>, e: number | undefined): ObjectState<unknown> {
  return e === undefined ? state : { version: state.version, format: state.format, data: state.data, synchronized: state.synchronized, epoch: e };
}
