import type { JsonValue } from "../descriptor/json-value.js";
import { DEFAULT_FORMAT, type ObjectState } from "../state/object-state.js";
import { compareVersions } from "../state/version.js";
import { frozenDataLength } from "../state/frozen-data.js";
import { diffJson, patchIsWorthIt } from "./json-patch/index.js";
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
    const patch = diffJson(base.data as JsonValue, target.data as JsonValue);
    const payload = patchIsWorthIt(patch, sizeOf(target)) ? Object.freeze({ ...header(target), b: base.version, p: patch }) : fullOf(target);
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

function header(state: ObjectState<unknown>): { v: ObjectState<unknown>["version"]; s: boolean; f?: readonly string[] } {
  return state.format === DEFAULT_FORMAT || (state.format.length === 1 && state.format[0] === "JSON")
    ? { v: state.version, s: state.synchronized }
    : { v: state.version, s: state.synchronized, f: state.format };
}

function flagOf(state: ObjectState<unknown>): WireState {
  return header(state);
}

function fullOf(state: ObjectState<unknown>): WireState {
  let payload = fulls.get(state);
  if (payload === undefined) {
    payload = Object.freeze({ ...header(state), d: state.data as JsonValue });
    fulls.set(state, payload);
  }
  return payload;
}

/** The state's JSON size: state data is frozen, and its large containers remember their length. */
function sizeOf(state: ObjectState<unknown>): number {
  return frozenDataLength(state.data as JsonValue);
}
