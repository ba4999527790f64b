import type { JsonValue } from "../descriptor/json-value.js";
import { DEFAULT_FORMAT, epochOf, type ObjectState } from "../state/object-state.js";
import { compareVersions, type Version } from "../state/version.js";
import { frozenDataLength } from "../state/frozen-data.js";
import { diffJson, type PatchOperation, worthwhilePatchLength } from "./json-patch/index.js";
import type { WireState } from "./wire-state.js";

/**
 * Turns a state into its wire form relative to what the receiver holds: a flag change, a diff, or the
 * full state, whichever is smallest. Diffs are cached on the (immutable) state objects, so sending
 * one update to many links at the same base computes one diff and makes one payload object, frozen so
 * that the binding's encode cache serialises and compresses it once for all of them. Full payloads are
 * shared the same way, but only for the rest of the tick (see `fullOf`).
 */
export function encodeState(target: ObjectState<unknown>, base: ObjectState<unknown> | undefined): WireState {
  if (base !== undefined) {
    if (base.data === target.data && compareVersions(base.version, target.version) === 0) return flagOf(target);
    const wire = wireOf(target);
    const diffs = (wire.diffs ??= []);
    const baseEpoch = epochOf(base);
    for (const entry of diffs) if (entry.baseEpoch === baseEpoch && compareVersions(entry.base, base.version) === 0) return entry.payload;
    // A state that arrived as a patch against this very base goes on as that patch: no diff to compute.
    const derived = wire.derivedFrom !== undefined && wire.derivedEpoch === baseEpoch && compareVersions(wire.derivedFrom, base.version) === 0;
    const patch = derived ? wire.derivedBy! : diffJson(base.data as JsonValue, target.data as JsonValue);
    const patchLength = worthwhilePatchLength(patch, sizeOf(target));
    const payload = patchLength !== undefined ? diffOf(target, base, patch, patchLength) : fullOf(target);
    if (diffs.length >= BASES_PER_STATE) diffs.shift();
    diffs.push({ base: base.version, baseEpoch, payload });
    return payload;
  }
  return fullOf(target);
}

/**
 * How many bases one state's diffs are remembered for. Links that skipped different versions sit at
 * different bases; each of those diffs is computed (and encoded) once for all links at that base.
 */
const BASES_PER_STATE = 4;
/**
 * What one state knows of its wire forms: one record per state (a weak map entry costs the GC). Bases
 * are named by their version and epoch, never held: a record holding its base state would keep that state's
 * record alive, and with it every earlier version of the object (a relay would leak one state per update).
 */
interface StateWire {
  diffs?: Array<{ readonly base: Version; readonly baseEpoch: number; readonly payload: WireState }>;
  /** The state was made by applying `derivedBy` to the state of version `derivedFrom` and epoch `derivedEpoch` (a relay forwards that patch as is). */
  derivedFrom?: Version;
  derivedEpoch?: number;
  derivedBy?: readonly PatchOperation[];
}
const wires = new WeakMap<ObjectState<unknown>, StateWire>();

function wireOf(state: ObjectState<unknown>): StateWire {
  let wire = wires.get(state);
  if (wire === undefined) wires.set(state, (wire = {}));
  return wire;
}

/** Records that `state` was made by applying `patch` to `base` (a relay then forwards the patch as is). */
export function recordDerivation(state: ObjectState<unknown>, base: ObjectState<unknown>, patch: readonly PatchOperation[]): void {
  const wire = wireOf(state);
  wire.derivedFrom = base.version;
  wire.derivedEpoch = epochOf(base);
  wire.derivedBy = patch;
}

// Payloads are written as literals of one fixed shape each (not spread from a header): V8 then gives
// all payloads of a kind one hidden class, instead of one each.

function isDefaultFormat(state: ObjectState<unknown>): boolean {
  return state.format === DEFAULT_FORMAT || (state.format.length === 1 && state.format[0] === "JSON");
}

function flagOf(state: ObjectState<unknown>): WireState {
  return withEpoch(state, isDefaultFormat(state) ? { v: state.version, s: state.synchronized } : { v: state.version, s: state.synchronized, f: state.format });
}

/** `wire` with the state's epoch, when not 0 (the wire leaves 0 out). */
function withEpoch(state: ObjectState<unknown>, wire: WireState): WireState {
  const e = state.epoch;
  return e === undefined || e === 0 ? wire : { ...wire, e };
}

/** The length of each diff payload's patch as JSON text (what the monitor shows as an object's last diff). */
const patchLengths = new WeakMap<WireState, number>();

/** The length of `wire`'s patch as JSON text, when `wire` is a diff that encodeState made. */
export function patchLengthOf(wire: WireState): number | undefined {
  return patchLengths.get(wire);
}

function diffOf(state: ObjectState<unknown>, base: ObjectState<unknown>, patch: readonly PatchOperation[], patchLength: number): WireState {
  const payload = Object.freeze(
    withEpoch(
      state,
      isDefaultFormat(state)
        ? { v: state.version, s: state.synchronized, b: base.version, p: patch }
        : { v: state.version, s: state.synchronized, f: state.format, b: base.version, p: patch },
    ),
  );
  patchLengths.set(payload, patchLength);
  return payload;
}

/**
 * Full payloads made in this tick, by state. A fan-out sends one state to every link within one
 * synchronous delivery, so sharing the payload object for the tick is all the binding's encode cache
 * (itself per tick) needs; remembering it longer would cost every idle object a payload and a record.
 */
let fullThisTick = new Map<ObjectState<unknown>, WireState>();
let forgetQueued = false;
function forgetFulls(): void {
  fullThisTick = new Map();
  forgetQueued = false;
}

function fullOf(state: ObjectState<unknown>): WireState {
  let full = fullThisTick.get(state);
  if (full === undefined) {
    const d = state.data as JsonValue;
    full = Object.freeze(
      withEpoch(state, isDefaultFormat(state) ? { v: state.version, s: state.synchronized, d } : { v: state.version, s: state.synchronized, f: state.format, d }),
    );
    fullThisTick.set(state, full);
    if (!forgetQueued) {
      forgetQueued = true;
      queueMicrotask(forgetFulls);
    }
  }
  return full;
}

/** The state's JSON size: state data is frozen, and its large containers remember their length. */
function sizeOf(state: ObjectState<unknown>): number {
  return frozenDataLength(state.data as JsonValue);
}
