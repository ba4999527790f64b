import type { ObjectDescriptor } from "../descriptor/object-descriptor.js";
import type { ObjectState } from "../state/object-state.js";

/**
 * One line of `hakuban observe`'s output: a state as JSON (`{"descriptor":...,"version":[...],
 * "synchronized":true,"data":...}`), or, with no state, the object leaving (`{"descriptor":...,"removed":true}`).
 * A state of another format than JSON (bytes: see ObjectState.format) has its format and its bytes in
 * base64 instead of data (`{...,"format":["msgpack"],"base64":"..."}`). Ends with a newline.
 */
export function stateLine<T>(descriptor: ObjectDescriptor, state: ObjectState<T> | undefined): string {
  if (state === undefined) return `${JSON.stringify({ descriptor, removed: true })}\n`;
  const { version, synchronized, format, data } = state;
  if (data instanceof Uint8Array) {
    const base64 = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("base64");
    return `${JSON.stringify({ descriptor, version, synchronized, format, base64 })}\n`;
  }
  return `${JSON.stringify({ descriptor, version, synchronized, data })}\n`;
}
