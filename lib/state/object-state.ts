import type { JsonValue } from "../descriptor/json-value.js";
import { compareVersions, type Version } from "./version.js";

/**
 * `T` deeply readonly: every property and element of every level, arrays included. State data is typed
 * so because it is deeply frozen at run time (`set()` freezes it and observers share it): the compiler
 * then refuses the writes that would throw or be lost, instead of the program finding out.
 * `Immutable<T>` of a type every JSON value fits in (`JsonValue`, readonly already; `unknown`; `any`) is that type.
 * A `Uint8Array` stays one: bytes cannot be frozen, so observers share them and must not write them.
 */
export type Immutable<T> = [JsonValue] extends [T]
  ? T
  : T extends string | number | boolean | bigint | symbol | null | undefined | Uint8Array | ((...args: never) => unknown)
    ? T
    : { readonly [K in keyof T]: Immutable<T[K]> };

/**
 * What observers see of an object: the latest state only, never a history. `data` is deeply readonly
 * (see Immutable) wherever a state is handed out, whatever `T` the contract was made with.
 */
export interface ObjectState<T> {
  /** Orders states of one object; lower or equal versions than the current one are ignored. */
  readonly version: Version;
  /**
   * How `data` is encoded, outermost last: DEFAULT_FORMAT for plain JSON; any other format's data is a
   * `Uint8Array` of its encoding (BYTES_FORMAT for bytes given as they are), except where an observer's
   * codec for that format decoded it.
   */
  readonly format: readonly string[];
  readonly data: Immutable<T>;
  /** False while no exposer currently backs this data (it may be stale). */
  readonly synchronized: boolean;
  /**
   * The election the state was published in (absent: 0). Each election of an exposer for an object has an
   * epoch that only grows, given by the node that elects (the root of the tree, or of a cut-off subtree);
   * the state of a later election supersedes any of an earlier one, whatever their versions, and versions
   * order states within one election. So a former exposer's versions, however high, hold nobody back.
   */
  readonly epoch?: number;
}

/** `state` with its synchronized flag set to `synchronized` (its version, epoch and data kept). */
export function withSynchronized<T>(state: ObjectState<T>, synchronized: boolean): ObjectState<T> {
  const { version, format, data, epoch } = state;
  return epoch === undefined ? { version, format, data, synchronized } : { version, format, data, synchronized, epoch };
}

/** The epoch of `state` (see ObjectState.epoch). */
export function epochOf(state: ObjectState<unknown>): number {
  return state.epoch ?? 0;
}

/** Whether `state` is the one of `version` in `epoch`: two elections may each make a state of one version. */
export function isStateOf(state: ObjectState<unknown>, version: Version, epoch: number): boolean {
  return epochOf(state) === epoch && compareVersions(state.version, version) === 0;
}

/** The longest name in a state's format stack (codecs' formats are held to it, and the link refuses longer ones). */
export const MAX_FORMAT_NAME_LENGTH = 64;

/** The format of plain JSON data, the default. */
export const DEFAULT_FORMAT: readonly string[] = Object.freeze(["JSON"]);

/** The format of a `Uint8Array` given as it is, without a codec: opaque bytes. */
export const BYTES_FORMAT: readonly string[] = Object.freeze(["bytes"]);

/**
 * Whether `format` is plain JSON (DEFAULT_FORMAT). States of any other format carry their encoding as a
 * `Uint8Array`, which travels whole, or as its codec's diff toward a node that can patch its format
 * (see FormatDiffs), and is never read or changed on the way.
 */
export function isJsonFormat(format: readonly string[]): boolean {
  return format === DEFAULT_FORMAT || (format.length === 1 && format[0] === "JSON");
}

/** Whether two format stacks name the same encoding (the same names in the same order). */
export function sameFormat(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
