import type { JsonValue } from "../descriptor/json-value.js";
import { DEFAULT_FORMAT, type ObjectState } from "../state/object-state.js";
import { compareVersions } from "../state/version.js";
import { applyPatch, PatchApplyError } from "./json-patch/index.js";
import { recordDerivation } from "./state-encoding.js";
import type { AckPayload } from "./object-session.js";
import type { WireState } from "./wire-state.js";

/**
 * Receives one object's states over one link in one direction. A diff or flag is applied only to the
 * exact base version it was made against; otherwise (or if the patch does not apply) the receiver asks
 * for the full state instead of guessing.
 */
export class StateReceiver {
  /** The state this side holds for the link (the base the sender diffs against). */
  held: ObjectState<unknown> | undefined;

  constructor(held?: ObjectState<unknown>) {
    this.held = held;
  }

  /** Applies `wire`; returns the new state (or undefined if a full state is needed) and the acknowledgement to send. */
  receive(wire: WireState): { state: ObjectState<unknown> | undefined; ack: AckPayload } {
    const held = this.held;
    let state: ObjectState<unknown> | undefined;
    if (wire.d !== undefined) {
      state = { version: wire.v, format: wire.f ?? DEFAULT_FORMAT, data: wire.d, synchronized: wire.s };
    } else if (held !== undefined && compareVersions(held.version, wire.p !== undefined ? wire.b! : wire.v) === 0) {
      if (wire.p === undefined) {
        state = { version: held.version, format: held.format, data: held.data, synchronized: wire.s };
      } else {
        try {
          // Frozen by applyPatch (only what the patch made is new); values were checked by parsePatch.
          const data = applyPatch(held.data as JsonValue, wire.p);
          state = { version: wire.v, format: wire.f ?? DEFAULT_FORMAT, data, synchronized: wire.s };
          recordDerivation(state, held, wire.p);
        } catch (error) {
          // A patch that does not fit the held state: ask for the full state.
          if (!(error instanceof PatchApplyError)) throw error;
        }
      }
    }
    if (state === undefined) return { state, ack: held === undefined ? { resync: true } : { v: held.version, resync: true } };
    this.held = state;
    return { state, ack: { v: state.version } };
  }
}
