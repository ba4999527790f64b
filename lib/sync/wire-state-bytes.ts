import { carriesData } from "./wire/state-codec.js";
import type { WireState } from "./wire-state.js";

/**
 * How many bytes of data a state from the network carries, for a quota of bytes pushed per second: its
 * bytes on the wire when it is full or a diff, nothing for a flag.
 */
export function wireStateBytes(state: WireState): number {
  return carriesData(state) ? state.length : 0;
}
