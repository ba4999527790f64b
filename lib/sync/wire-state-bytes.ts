import { measureData } from "../state/frozen-data.js";
import type { WireState } from "./wire-state.js";

/**
 * About how many bytes of JSON a state from the network carries, for a quota of bytes pushed per
 * second: the data of a full state, the paths and values of a patch's operations, nothing for a flag.
 * Cheap: the decoder froze the data, and frozen containers remember their size.
 */
export function wireStateBytes(state: WireState): number {
  if (state.d !== undefined) return measureData(state.d).length;
  let bytes = 0;
  for (const operation of state.p ?? []) {
    bytes += operation.path.length + 16;
    if ("value" in operation && operation.value !== undefined) bytes += measureData(operation.value).length;
  }
  return bytes;
}
