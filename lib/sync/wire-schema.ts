import { schema, type Schema } from "../choreography/index.js";
import { ObjectDescriptor } from "../descriptor/object-descriptor.js";
import { TagDescriptor } from "../descriptor/tag-descriptor.js";
import type { JsonLimits, JsonValue } from "../descriptor/json-value.js";
import { assertJsonValue } from "../descriptor/json-value.js";
import { MAX_SUPPORTED_DEPTH } from "../descriptor/resolve-limits.js";
import { freezeData } from "../state/frozen-data.js";
import { MAX_PATCHABLE_FORMATS } from "../state/format-diffs.js";
import { MAX_FORMAT_NAME_LENGTH } from "../state/object-state.js";
import { assertVersion, type Version } from "../state/version.js";

/**
 * Checks for the fields of link messages. Every payload from the network passes through these before
 * the sync layer looks at it; a failure becomes the SchemaMismatch that closes the link.
 */

/** The payload as a record of fields, or a TypeError naming the message. */
export function fieldsOf(value: unknown, message: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new TypeError(`${message} must be an object`);
  }
  return value as Record<string, unknown>;
}

export function booleanField(fields: Record<string, unknown>, name: string, message: string): boolean {
  const value = fields[name];
  if (typeof value !== "boolean") throw new TypeError(`${message}.${name} must be a boolean`);
  return value;
}

export function stringField(fields: Record<string, unknown>, name: string, message: string, maxLength = 1024): string {
  const value = fields[name];
  if (typeof value !== "string" || value.length > maxLength) {
    throw new TypeError(`${message}.${name} must be a string of at most ${maxLength} characters`);
  }
  return value;
}

/** Which access (observe or expose) a denial or grant is about. */
export function accessField(fields: Record<string, unknown>, message: string): "observe" | "expose" {
  const access = fields.access;
  if (access !== "observe" && access !== "expose") throw new TypeError(`${message}.access must be "observe" or "expose"`);
  return access;
}

/** The schema of a message that carries nothing (its payload must still be an object). */
export function emptySchema(message: string): Schema<Record<string, never>> {
  return schema((value): Record<string, never> => (fieldsOf(value, message), {}), message);
}

/** A non-negative finite number (capacities, counts). */
export function amountField(fields: Record<string, unknown>, name: string, message: string): number {
  const value = fields[name];
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`${message}.${name} must be a non-negative finite number`);
  }
  return value;
}

/** A non-negative safe integer (session ids, protocol versions). */
export function idField(fields: Record<string, unknown>, name: string, message: string): number {
  const value = fields[name];
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new TypeError(`${message}.${name} must be a non-negative integer`);
  }
  return value;
}

/** An optional epoch (see ObjectState.epoch) in `message`: a non-negative integer, absent for 0. */
export function optionalEpochField(fields: Record<string, unknown>, name: string, message: string): number | undefined {
  return fields[name] === undefined ? undefined : idField(fields, name, message);
}

/** An optional list of format names (the formats a side can patch): at most MAX_PATCHABLE_FORMATS names of 1 to 64 characters. */
export function optionalFormatsField(fields: Record<string, unknown>, name: string, message: string): readonly string[] | undefined {
  const value = fields[name];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length > MAX_PATCHABLE_FORMATS) {
    throw new TypeError(`${message}.${name} must be an array of at most ${MAX_PATCHABLE_FORMATS} format names`);
  }
  for (const format of value) {
    if (typeof format !== "string" || format.length < 1 || format.length > MAX_FORMAT_NAME_LENGTH) {
      throw new TypeError(`${message}.${name} must hold format names of 1 to ${MAX_FORMAT_NAME_LENGTH} characters`);
    }
  }
  return value as readonly string[];
}

export function versionField(fields: Record<string, unknown>, name: string): Version {
  const value = fields[name];
  assertVersion(value);
  return value;
}

export function optionalVersionField(fields: Record<string, unknown>, name: string): Version | undefined {
  return fields[name] === undefined ? undefined : versionField(fields, name);
}

/** An object descriptor: already one (outbound), or its wire form validated within descriptor limits. */
export function descriptorField(fields: Record<string, unknown>, name: string): ObjectDescriptor {
  const value = fields[name];
  return value instanceof ObjectDescriptor ? value : ObjectDescriptor.fromJSON(value);
}

/** A tag descriptor: already one (outbound), or its JSON validated within descriptor limits. */
export function tagField(fields: Record<string, unknown>, name: string): TagDescriptor {
  const value = fields[name];
  if (value instanceof TagDescriptor) return value;
  assertJsonValue(value, undefined, `$.${name}`);
  return TagDescriptor.from(value);
}

/**
 * What the schemas bound state data by: only what every walk must (MAX_SUPPORTED_DEPTH levels; the
 * binding's frame limits and JSON depth scan bound a payload before it is parsed). The link's own data
 * limits are applied where a state is made (StateReceiver), to full states and patch results alike, so
 * that one place refuses what is over them and closes the link.
 */
export const STRUCTURAL_DATA_LIMITS: JsonLimits = Object.freeze({ maxDepth: MAX_SUPPORTED_DEPTH, maxLength: Number.MAX_SAFE_INTEGER });

/**
 * Checks that `value` is JSON data and freezes it: it becomes state data as it is (it came fresh from
 * the decoder). Its large containers remember their size, so measuring it against the link's data limits
 * afterwards costs little.
 */
export function dataField(value: unknown): JsonValue {
  freezeData(value, STRUCTURAL_DATA_LIMITS, "$.d");
  return value as JsonValue;
}
