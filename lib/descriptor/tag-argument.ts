import type { JsonValue } from "./json-value.js";
import { TagDescriptor } from "./tag-descriptor.js";

/**
 * The tag a command-line argument names: its JSON when it parses as JSON (`'{"room":"lobby"}'`, `42`,
 * `'"7"'`), else the text itself as a string tag (`sensors`). `hakuban-router --monitor-tag` and the
 * `hakuban` client read tags this way. Throws what TagDescriptor throws for a tag that is not one.
 */
export function tagFromArgument(text: string): TagDescriptor {
  let json: JsonValue;
  try {
    json = JSON.parse(text) as JsonValue;
  } catch {
    json = text;
  }
  return new TagDescriptor(json);
}
