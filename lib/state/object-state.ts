import type { JsonValue } from "../descriptor/json-value.js";
import type { Version } from "./version.js";

/**
 * `T` deeply readonly: every property and element of every level, arrays included. State data is typed
 * so because it is deeply frozen at run time (`set()` freezes it and observers share it): the compiler
 * then refuses the writes that would throw or be lost, instead of the program finding out.
 * `Immutable<T>` of a type every JSON value fits in (`JsonValue`, readonly already; `unknown`; `any`) is that type.
 */
export type Immutable<T> = [JsonValue] extends [T]
  ? T
  : T extends string | number | boolean | bigint | symbol | null | undefined | ((...args: never) => unknown)
    ? T
    : { readonly [K in keyof T]: Immutable<T[K]> };

/**
 * What observers see of an object: the latest state only, never a history. `data` is deeply readonly
 * (see Immutable) wherever a state is handed out, whatever `T` the contract was made with.
 */
export interface ObjectState<T> {
  /** Orders states of one object; lower or equal versions than the current one are ignored. */
  readonly version: Version;
  /** How `data` is encoded, outermost last; DEFAULT_FORMAT for plain JSON. */
  readonly format: readonly string[];
  readonly data: Immutable<T>;
  /** False while no exposer currently backs this data (it may be stale). */
  readonly synchronized: boolean;
}

/** The format of plain JSON data, the default. */
export const DEFAULT_FORMAT: readonly string[] = Object.freeze(["JSON"]);
