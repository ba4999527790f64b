import type { ObjectDescriptor } from "../descriptor/object-descriptor.js";
import type { ObjectState } from "../state/object-state.js";

/**
 * One line of `hakuban observe`'s output: a state as JSON (`{"descriptor":...,"version":[...],
 * "synchronized":true,"data":...}`), or, with no state, the object leaving (`{"descriptor":...,"removed":true}`).
 * Ends with a newline.
 */
export function stateLine<T>(descriptor: ObjectDescriptor, state: ObjectState<T> | undefined): string {
  if (state === undefined) return `${JSON.stringify({ descriptor, removed: true })}\n`;
  const { version, synchronized, data } = state;
  return `${JSON.stringify({ descriptor, version, synchronized, data })}\n`;
}
