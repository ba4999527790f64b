import { isStateOf, type ObjectState } from "../../state/object-state.js";
import type { Version } from "../../state/version.js";
import type { ResumeStore } from "../resume-store.js";

/**
 * Per object whose session with a child ended, the state the child most likely holds: a reopen on the
 * link, or the child's reconnect (through the resume store), gets a diff against it instead of a full
 * state. At most `max` are kept; the oldest are forgotten first.
 */
export class ChildHolds {
  /** Made when the first session that sent states ends. */
  private holds: Map<string, ObjectState<unknown>> | undefined;

  constructor(private readonly max: number) {}

  /** The session of `key` ended with the child holding `state` (undefined: nothing known; any older one is forgotten). */
  ended(key: string, state: ObjectState<unknown> | undefined): void {
    const holds = this.holds;
    if (state === undefined) {
      holds?.delete(key);
      return;
    }
    if (holds === undefined) this.holds = new Map([[key, state]]);
    else {
      holds.delete(key);
      holds.set(key, state);
      if (holds.size > this.max) holds.delete(holds.keys().next().value!);
    }
  }

  /** The state of version `version` in `epoch` the child held when a session of `key` ended, if kept. */
  heldBefore(key: string, version: Version, epoch: number): ObjectState<unknown> | undefined {
    const held = this.holds?.get(key);
    return held !== undefined && isStateOf(held, version, epoch) ? held : undefined;
  }

  /** The link ended: what is kept goes to `store` under the child's resume `token` (if it gave one), and is forgotten here. */
  keepFor(store: ResumeStore, token: string | undefined): void {
    const holds = this.holds;
    if (token !== undefined && holds !== undefined && holds.size > 0) store.keep(token, holds);
    this.holds = undefined;
  }
}
