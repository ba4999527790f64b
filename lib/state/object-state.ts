import type { Version } from "./version.js";

/** What observers see of an object: the latest state only, never a history. */
export interface ObjectState<T> {
  /** Orders states of one object; lower or equal versions than the current one are ignored. */
  readonly version: Version;
  /** How `data` is encoded, outermost last; DEFAULT_FORMAT for plain JSON. */
  readonly format: readonly string[];
  readonly data: T;
  /** False while no exposer currently backs this data (it may be stale). */
  readonly synchronized: boolean;
}

/** The format of plain JSON data, the default. */
export const DEFAULT_FORMAT: readonly string[] = Object.freeze(["JSON"]);
