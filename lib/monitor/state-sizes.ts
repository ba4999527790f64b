import type { JsonValue } from "../descriptor/json-value.js";
import { measureData } from "../state/frozen-data.js";
import type { ObjectState } from "../state/object-state.js";

/**
 * The size of states' data, each state measured once: the length of its JSON text, or its bytes for
 * data that is not JSON (a codec's or raw bytes). States are immutable, so a size stays true as long as
 * its state lives, and a WeakMap lets both go together.
 */
export class StateSizes {
  private readonly sizes = new WeakMap<ObjectState<unknown>, number>();

  /** The size of `state`'s data. */
  of(state: ObjectState<unknown>): number {
    let size = this.sizes.get(state);
    if (size === undefined) {
      const data = state.data;
      size = data instanceof Uint8Array ? data.byteLength : measureData(data as JsonValue).length;
      this.sizes.set(state, size);
    }
    return size;
  }
}
