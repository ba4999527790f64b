import type { JsonValue } from "../descriptor/json-value.js";
import { DEFAULT_FORMAT, type ObjectState } from "../state/object-state.js";
import { compareVersions } from "../state/version.js";
import { frozenDataLength } from "../state/frozen-data.js";
import { diffJson, patchIsWorthIt, type PatchOperation } from "./json-patch/index.js";
import type { WireState } from "./wire-state.js";

/**
 * Turns a state into its wire form relative to what the receiver holds: a flag change, a diff, or the
 * full state, whichever is smallest. Results are cached on the (immutable) state objects, so sending
 * one update to many links at the same base computes one diff and makes one payload object, frozen so
 * that the binding's encode cache serialises and compresses it once for all of them.
 */
export function encodeState(target: ObjectState<unknown>, base: ObjectState<unknown> | undefined): WireState {
  if (base !== undefined) {
    if (base.data === target.data && compareVersions(base.version, target.version) === 0) return flagOf(target);
    let cached = diffs.get(target);
    if (cached !== undefined) for (const entry of cached) if (entry.base === base) return entry.payload;
    // A state that arrived as a patch against this very base goes on as that patch: no diff to compute.
    const derivation = derivations.get(target);
    const patch = derivation !== undefined && derivation.base === base ? derivation.patch : diffJson(base.data as JsonValue, target.data as JsonValue);
    const payload = patchIsWorthIt(patch, sizeOf(target)) ? diffOf(target, base, patch) : fullOf(target);
    if (cached === undefined) diffs.set(target, (cached = []));
    if (cached.length >= BASES_PER_STATE) cached.shift();
    cached.push({ base, payload });
    return payload;
  }
  return fullOf(target);
}

/**
 * How many bases one state's diffs are remembered for. Links that skipped different versions sit at
 * different bases; each of those diffs is computed (and encoded) once for all links at that base.
 */
const BASES_PER_STATE = 4;
const diffs = new WeakMap<ObjectState<unknown>, Array<{ readonly base: ObjectState<unknown>; readonly payload: WireState }>>();
const fulls = new WeakMap<ObjectState<unknown>, WireState>();
const derivations = new WeakMap<ObjectState<unknown>, { readonly base: ObjectState<unknown>; readonly patch: readonly PatchOperation[] }>();

/** Records that `state` was made by applying `patch` to `base` (a relay then forwards the patch as is). */
export function recordDerivation(state: ObjectState<unknown>, base: ObjectState<unknown>, patch: readonly PatchOperation[]): void {
  derivations.set(state, { base, patch });
}

// Payloads are written as literals of one fixed shape each (not spread from a header): V8 then gives
// all payloads of a kind one hidden class, instead of one each.

function isDefaultFormat(state: ObjectState<unknown>): boolean {
  return state.format === DEFAULT_FORMAT || (state.format.length === 1 && state.format[0] === "JSON");
}

function flagOf(state: ObjectState<unknown>): WireState {
  return isDefaultFormat(state) ? { v: state.version, s: state.synchronized } : { v: state.version, s: state.synchronized, f: state.format };
}

function diffOf(state: ObjectState<unknown>, base: ObjectState<unknown>, patch: readonly PatchOperation[]): WireState {
  return Object.freeze(
    isDefaultFormat(state)
      ? { v: state.version, s: state.synchronized, b: base.version, p: patch }
      : { v: state.version, s: state.synchronized, f: state.format, b: base.version, p: patch },
  );
}

function fullOf(state: ObjectState<unknown>): WireState {
  let payload = fulls.get(state);
  if (payload === undefined) {
    const d = state.data as JsonValue;
    payload = Object.freeze(
      isDefaultFormat(state) ? { v: state.version, s: state.synchronized, d } : { v: state.version, s: state.synchronized, f: state.format, d },
    );
    fulls.set(state, payload);
  }
  return payload;
}

/** The state's JSON size: state data is frozen, and its large containers remember their length. */
function sizeOf(state: ObjectState<unknown>): number {
  return frozenDataLength(state.data as JsonValue);
}
