import { schema } from "../choreography/index.js";
import type { JsonValue } from "../descriptor/json-value.js";
import type { Version } from "../state/version.js";
import { patchParser, type PatchOperation } from "./json-patch/index.js";
import { booleanField, dataField, fieldsOf, optionalEpochField, optionalVersionField, STRUCTURAL_DATA_LIMITS, versionField } from "./wire-schema.js";

/** Patches from the network: at most DEFAULT_PATCH_LIMITS' operations, their values bounded as full states' data are. */
const parseWirePatch = patchParser(STRUCTURAL_DATA_LIMITS);

/**
 * One object state on the wire, in one of three forms:
 * - full: `d` is the data;
 * - diff: `p` is a JSON Patch from the state with version `b` (which the receiver must hold);
 * - flag: neither, only `s` (or `e`) changed for the version `v` the receiver holds.
 * `e` is the epoch of the election the state belongs to (absent: 0; see ObjectState.epoch).
 * Short field names: these go out once per update per link.
 */
export interface WireState {
  readonly v: Version;
  readonly e?: number;
  readonly s: boolean;
  /** The format stack, when not the default ["JSON"]. */
  readonly f?: readonly string[];
  readonly d?: JsonValue;
  readonly b?: Version;
  readonly p?: readonly PatchOperation[];
}

/**
 * Checks a state from the network: exactly one form, valid versions, JSON data, a well-formed patch.
 * Sizes are left to the receiver, which knows the link's data limits (see STRUCTURAL_DATA_LIMITS).
 */
export const wireStateSchema = schema((value): WireState => {
  const f = fieldsOf(value, "State");
  const v = versionField(f, "v");
  const e = optionalEpochField(f, "e", "State");
  const s = booleanField(f, "s", "State");
  return e === undefined || e === 0 ? form(f, v, s) : { ...form(f, v, s), e };
}, "State");

/** The state's form (full, diff or flag) from its fields `f`. */
function form(f: Record<string, unknown>, v: Version, s: boolean): WireState {
  // Literals of fixed shapes (see state-encoding.ts), the format only when it is not the default.
  const format = f.f === undefined ? undefined : formatOf(f.f);
  if (f.d !== undefined) {
    if (f.p !== undefined || f.b !== undefined) throw new TypeError("State has both data and a patch");
    const d = dataField(f.d);
    return format === undefined ? { v, s, d } : { v, s, f: format, d };
  }
  if (f.p !== undefined) {
    const b = optionalVersionField(f, "b");
    if (b === undefined) throw new TypeError("State.p needs the base version State.b");
    const p = parseWirePatch(f.p);
    return format === undefined ? { v, s, b, p } : { v, s, f: format, b, p };
  }
  if (f.b !== undefined) throw new TypeError("State.b without a patch");
  return format === undefined ? { v, s } : { v, s, f: format };
}

function formatOf(value: unknown): readonly string[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > 8 || !value.every((x) => typeof x === "string" && x.length <= 64)) {
    throw new TypeError("State.f must be a list of 1 to 8 format names");
  }
  return value as string[];
}

/**
 * A state as the receiver decoded it from the compact state wire, in one of three forms:
 * - full: `d` is the data;
 * - diff: `p` is a JSON Patch from the state the receiver holds (the wire's implicit base);
 * - flag: neither, only `s` (or `e`) changed for the version `v` the receiver holds.
 * `e` is the epoch of the election the state belongs to (absent: 0; see ObjectState.epoch).
 */
export interface DecodedState {
  readonly v: Version;
  readonly e?: number;
  readonly s: boolean;
  /** The format stack, when not the default ["JSON"]. */
  readonly f?: readonly string[] | undefined;
  /** A full state's data, frozen and checked as JSON (see dataField). */
  readonly d?: JsonValue;
  readonly p?: readonly PatchOperation[];
}
