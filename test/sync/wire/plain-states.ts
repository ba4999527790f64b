/**
 * States on the wire written and read as plain objects, for tests that speak the link protocol by hand:
 * `wireState` encodes one (a diff names its base `b` and goes with literal paths, so it needs no
 * definitions), and a PlainStateReader reads what a real sender sent on one object session, in order,
 * as the session's receiver would (keeping the paths it interned and the version it holds).
 */
import type { JsonValue } from "../../../lib/descriptor/json-value.js";
import type { Version } from "../../../lib/state/version.js";
import type { PatchOperation } from "../../../lib/sync/json-patch/index.js";
import { PathTable } from "../../../lib/sync/wire/path-dictionary.js";
import { decodeState, encodeDiff, encodeFlag, encodeFull } from "../../../lib/sync/wire/state-codec.js";
import type { WireState } from "../../../lib/sync/wire-state.js";

/** A state as a plain object: full with `d`, a diff from the state of version `b` with `p`, else a flag. */
export interface PlainState {
  readonly v: Version;
  readonly s: boolean;
  readonly e?: number;
  readonly f?: readonly string[];
  /** JSON for the JSON format, bytes for any other. */
  readonly d?: JsonValue | Uint8Array;
  readonly b?: Version;
  readonly p?: readonly PatchOperation[];
}

/** `plain` as bytes of the state wire. */
export function wireState(plain: PlainState): WireState {
  const state = { version: plain.v, format: plain.f ?? ["JSON"], data: plain.d ?? null, synchronized: plain.s, ...(plain.e === undefined ? {} : { epoch: plain.e }) };
  if (plain.d !== undefined) return encodeFull(state);
  if (plain.p !== undefined) return encodeDiff(state, plain.b ?? plain.v, plain.p, undefined).bytes;
  return encodeFlag(state);
}

/** Reads one object session's states in order, holding what each made (the base of the next diff). */
export class PlainStateReader {
  private readonly table = new PathTable();

  /** @param held the version the receiving side holds at the start (what it claimed when it opened) */
  constructor(private held?: Version) {}

  /** `bytes` as a plain state (a diff names the base it was read against as `b`). */
  read(bytes: WireState): PlainState {
    const base = this.held;
    const decoded = decodeState(bytes, base, this.table, "the hand-spoken session");
    if (decoded === undefined) throw new Error(`a diff against a base other than ${JSON.stringify(base)}, the version this reader holds`);
    const { v, s, e, f, d, p } = decoded;
    this.held = v;
    return { v, s, ...(e === undefined ? {} : { e }), ...(f === undefined ? {} : { f }), ...(d === undefined ? {} : { d }), ...(p === undefined ? {} : { b: base!, p }) };
  }
}
