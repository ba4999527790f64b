import type { JsonValue } from "../../descriptor/json-value.js";
import type { ByteReader } from "./byte-reader.js";
import type { ByteWriter } from "./byte-writer.js";

/**
 * Compact binary JSON, the values of the state wire (full states' data, patch values). Each value
 * starts with one tag byte; small integers, short strings and small containers are folded into it:
 *
 *   0x00 null · 0x01 false · 0x02 true
 *   0x03 float64, 8 bytes little-endian (finite; numbers that are not safe integers; -0 goes as 0, as in JSON text)
 *   0x04 integer ≥ 0, LEB128 · 0x05 integer < 0, LEB128 of its magnitude (≥ 1)
 *   0x06 string: LEB128 byte length, UTF-8
 *   0x07 array: LEB128 count, items · 0x08 object: LEB128 count, entries
 *   0x09–0x0f reserved
 *   0x10–0x1f array of 0–15 items · 0x20–0x2f object of 0–15 entries
 *   0x30–0x3f integers -1 to -16
 *   0x40–0x7f string of 0–63 UTF-8 bytes
 *   0x80–0xff integers 0 to 127
 *
 * An object entry is its key (LEB128 byte length, UTF-8) then its value. The decoder refuses what JSON
 * cannot hold or what would cost more than the bytes received: counts larger than the bytes left, depth
 * beyond the limit (counted while decoding), duplicate keys; "__proto__" becomes an own data property,
 * as JSON.parse makes it.
 */

const NULL = 0x00;
const FALSE = 0x01;
const TRUE = 0x02;
const FLOAT = 0x03;
const UINT = 0x04;
const NEGINT = 0x05;
const STRING = 0x06;
const ARRAY = 0x07;
const OBJECT = 0x08;
const SMALL_ARRAY = 0x10;
const SMALL_OBJECT = 0x20;
const SMALL_NEGINT = 0x30;
const SHORT_STRING = 0x40;
const SMALL_UINT = 0x80;

/** Writes `value` (JSON checked before: state data, patch values). */
export function writeJson(writer: ByteWriter, value: JsonValue): void {
  if (value === null) return writer.byte(NULL);
  switch (typeof value) {
    case "boolean":
      return writer.byte(value ? TRUE : FALSE);
    case "number":
      return writeNumber(writer, value);
    case "string":
      return writer.text(value, stringHeader);
    case "object": {
      if (Array.isArray(value)) {
        const n = value.length;
        if (n < 16) writer.byte(SMALL_ARRAY | n);
        else {
          writer.byte(ARRAY);
          writer.uint(n);
        }
        for (let i = 0; i < n; i++) writeJson(writer, value[i]!);
        return;
      }
      const record = value as { readonly [key: string]: JsonValue };
      const keys = Object.keys(record);
      const n = keys.length;
      if (n < 16) writer.byte(SMALL_OBJECT | n);
      else {
        writer.byte(OBJECT);
        writer.uint(n);
      }
      for (const key of keys) {
        writer.text(key, keyHeader);
        writeJson(writer, record[key]!);
      }
      return;
    }
  }
}

function writeNumber(writer: ByteWriter, value: number): void {
  if (!Number.isSafeInteger(value)) {
    writer.byte(FLOAT);
    return writer.float(value);
  }
  if (value >= 0) {
    if (value < 128) return writer.byte(SMALL_UINT | value);
    writer.byte(UINT);
    return writer.uint(value);
  }
  if (value >= -16) return writer.byte(SMALL_NEGINT | (-value - 1));
  writer.byte(NEGINT);
  writer.uint(-value);
}

function stringHeader(writer: ByteWriter, length: number): void {
  if (length < 64) writer.byte(SHORT_STRING | length);
  else {
    writer.byte(STRING);
    writer.uint(length);
  }
}

function keyHeader(writer: ByteWriter, length: number): void {
  writer.uint(length);
}

/**
 * Reads one value, nested at most `maxDepth` levels of arrays and objects (0: only a scalar). The
 * value is fresh and unfrozen; the caller freezes it where it becomes state data.
 */
export function readJson(reader: ByteReader, maxDepth: number): JsonValue {
  return readValue(reader, maxDepth, 0);
}

function readValue(reader: ByteReader, maxDepth: number, depth: number): JsonValue {
  const tag = reader.byte("value tag");
  if (tag >= SMALL_UINT) return tag & 0x7f;
  if (tag >= SHORT_STRING) return reader.text(tag & 0x3f, "string");
  if (tag >= SMALL_NEGINT) return -(tag & 0x0f) - 1;
  if (tag >= SMALL_OBJECT) return readObject(reader, tag & 0x0f, maxDepth, depth);
  if (tag >= SMALL_ARRAY) return readArray(reader, tag & 0x0f, maxDepth, depth);
  switch (tag) {
    case NULL:
      return null;
    case FALSE:
      return false;
    case TRUE:
      return true;
    case FLOAT:
      return reader.float("number");
    case UINT:
      return reader.uint("integer");
    case NEGINT: {
      const magnitude = reader.uint("integer");
      if (magnitude === 0) throw reader.fault("a negative integer of magnitude 0");
      return -magnitude;
    }
    case STRING:
      return reader.text(reader.uint("string length"), "string");
    case ARRAY:
      return readArray(reader, reader.count("array count"), maxDepth, depth);
    case OBJECT:
      return readObject(reader, reader.count("object count"), maxDepth, depth);
    default:
      reader.pos--;
      throw reader.fault(`an unknown value tag 0x${tag.toString(16)}`);
  }
}

function readArray(reader: ByteReader, n: number, maxDepth: number, depth: number): JsonValue[] {
  if (depth >= maxDepth) throw reader.fault(`data nested deeper than ${maxDepth} levels`);
  if (n > reader.left) throw reader.fault(`an array of ${n} items, more than the ${reader.left} bytes left could hold`);
  const items = new Array<JsonValue>(n);
  for (let i = 0; i < n; i++) items[i] = readValue(reader, maxDepth, depth + 1);
  return items;
}

function readObject(reader: ByteReader, n: number, maxDepth: number, depth: number): { [key: string]: JsonValue } {
  if (depth >= maxDepth) throw reader.fault(`data nested deeper than ${maxDepth} levels`);
  // Two bytes at least per entry: a key's length and a value's tag.
  if (2 * n > reader.left) throw reader.fault(`an object of ${n} entries, more than the ${reader.left} bytes left could hold`);
  const record: { [key: string]: JsonValue } = {};
  for (let i = 0; i < n; i++) {
    const key = reader.text(reader.uint("key length"), "key");
    if (Object.hasOwn(record, key)) throw reader.fault(`an object with the key ${JSON.stringify(key.slice(0, 40))} twice`);
    const value = readValue(reader, maxDepth, depth + 1);
    if (key === "__proto__") Object.defineProperty(record, key, { value, writable: true, enumerable: true, configurable: true });
    else record[key] = value;
  }
  return record;
}
