import type { JsonValue } from "../descriptor/json-value.js";

/**
 * Which objects a grant or a deny covers.
 *
 * - `{ tag: T }`: objects carrying the tag T (tags compare as whole JSON values).
 * - `{ object: P }`: objects whose descriptor json matches the pattern P: an object pattern matches
 *   an object that has every key of P with a matching value, recursively (extra keys are fine); an
 *   array or scalar pattern matches an equal value as a whole.
 * - `{ tag: T, object: P }`: objects that carry T and match P.
 * - `{ any: true }`: every object.
 *
 * Inside `tag` and `object`, a value `{ "$claim": "name" }` stands for the principal's claim `name`
 * (`"id"` is the principal's id) and matches a value equal to that claim as a whole; so
 * `{ object: { owner: { "$claim": "id" } } }` selects the objects a principal owns.
 */
export type Selector =
  | { readonly tag: JsonValue; readonly object?: JsonValue }
  | { readonly object: JsonValue; readonly tag?: JsonValue }
  | { readonly any: true };

/** Which of the two things a link may be granted: observing objects, or exposing them (and publishing their states). */
export type Access = "observe" | "expose";
