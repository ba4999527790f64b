import type { Exchange } from "../exchange/exchange.js";
import type { ObjectEntry } from "../exchange/object-entry.js";
import type { Exposer } from "../exchange/participants.js";
import { epochOf, isStateOf, type ObjectState } from "../state/object-state.js";

/**
 * Makes `state`, received over a link for `entry` through the link's `exposer`, the object's state here.
 * The version (of the same election) that is already held only sets its synchronized flag: no update is
 * counted and observers see no new data. Any other state is `"published"`, taken only if it is newer in
 * the election in force (a parent taking its child's states), or `"adopted"`, taken whatever its order (a
 * child taking its parent's, whose election decides which state is the latest). Both ends of a link take
 * states only through here.
 */
export function takePeerState(
  exchange: Pick<Exchange, "setSynchronized" | "publish" | "adopt">,
  entry: ObjectEntry,
  exposer: Exposer,
  state: ObjectState<unknown>,
  as: "published" | "adopted",
): void {
  const current = entry.state;
  if (current !== undefined && isStateOf(current, state.version, epochOf(state))) exchange.setSynchronized(entry, exposer, state.synchronized);
  else if (as === "published") exchange.publish(entry, exposer, state);
  else exchange.adopt(entry, exposer, state);
}
