import type { ObjectDescriptorJson } from "../descriptor/object-descriptor.js";

/** An object descriptor as the client shows it to people: its tags, then its JSON, e.g. `["sensors"] {"id":1}`. */
export function descriptorText(descriptor: ObjectDescriptorJson): string {
  return `${JSON.stringify(descriptor.tags)} ${JSON.stringify(descriptor.json)}`;
}
