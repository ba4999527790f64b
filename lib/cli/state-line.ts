import type { ObjectDescriptor } from "../descriptor/object-descriptor.js";
import type { ObjectState } from "../state/object-state.js";

/**
 * One line of `hakuban observe`'s output: a state as JSON (`{"descriptor":...,"version":[...],
 * "synchronized":true,"data":...}`), or, with no state, the object leaving (`{"descriptor":...,"removed":true}`).
 * Binary data (a Uint8Array, e.g. format ["bytes"] or a format no codec decoded) is written in base64,
 * with its `format`, so each line stays JSON. Ends with a newline.
 */
export function stateLine<T>(descriptor: ObjectDescriptor, state: ObjectState<T> | undefined): string {
  if (state === undefined) return `${JSON.stringify({ descriptor, removed: true })}\n`;
  const { version, synchronized, data, format } = state;
  const line =
    data instanceof Uint8Array
      ? { descriptor, version, synchronized, format, data: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("base64") }
      : { descriptor, version, synchronized, data };
  return `${JSON.stringify(line)}\n`;
}
