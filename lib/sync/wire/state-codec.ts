import type { JsonValue } from "../../descriptor/json-value.js";
import { InvalidVersionError } from "../../state/invalid-version-error.js";
import { isJsonFormat, MAX_FORMAT_NAME_LENGTH, type ObjectState } from "../../state/object-state.js";
import { assertVersion, MAX_VERSION_LENGTH, type Version } from "../../state/version.js";
import { DEFAULT_PATCH_LIMITS, pointerDepth, type PatchOperation } from "../json-patch/index.js";
import type { LinkFormats } from "../link-formats.js";
import type { DecodedState } from "../wire-state.js";
import { dataField, STRUCTURAL_DATA_LIMITS } from "../wire-schema.js";
import { readJson, writeJson } from "./binary-json.js";
import { ByteReader } from "./byte-reader.js";
import { ByteWriter } from "./byte-writer.js";
import { MAX_INTERNED_PATH_BYTES, MAX_INTERNED_PATHS, type PathDictionary, type PathTable } from "./path-dictionary.js";

/**
 * The compact state wire: one object state (StateUp, StateDown) as bytes. Integers are LEB128 (`uint`)
 * or signed (`int`: a first byte of sign, the low 6 bits and a continuation bit, then LEB128 of the rest;
 * see ByteWriter.int); strings are a `uint` byte length and UTF-8; values are binary JSON (binary-json.ts).
 *
 *   flags        1 byte
 *     0x01 synchronized
 *     0x06 form: 0x00 full, 0x02 diff, 0x04 flag-only (0x06 is refused)
 *     0x08 epoch present     0x10 format present     0x20 definitions present
 *     0x40 version-same-length (diffs only)           0x80 reserved, must be 0
 *   epoch        uint, when present (absent: 0)
 *   format       count byte (1–8), then that many strings of at most 64 characters, when present (absent: ["JSON"])
 *   definitions  when present: uint k, uint n ≥ 1, n strings: paths k … k+n-1 of the object's interned
 *                paths (see path-dictionary.ts); k must be the length of the receiver's table, and k + n at
 *                most MAX_INTERNED_PATHS, each a JSON Pointer of at most MAX_INTERNED_PATH_BYTES bytes
 *   version      full and flag-only: uint length (1–16), then each component as an int.
 *                diff: uint length unless version-same-length (then the base's), a check byte (versionCheck
 *                of the base), then per component an int: the difference from the base's component, or
 *                the component itself beyond the base's length. A length of 17–32 (never with
 *                version-same-length) says length - 16 components follow whole: a difference beyond the
 *                safe integers.
 *   body         full: one value, the data, when the format is ["JSON"]; any other format's data is bytes
 *                (see ObjectState.format), which are the body as they are, up to the end of the state.
 *                flag-only: nothing. diff of ["JSON"]: JSON Patch operations up to the end
 *                of the state (no count), each one byte, the op in its top 2 bits (0 add, 1 remove,
 *                2 replace) and the path in its low 6: an interned path's index 0–61, 62 for index
 *                62 + a uint that follows, 63 for a literal path (a string) that follows; then, for add
 *                and replace, the value. diff of any other format: the bytes its codec's diff made
 *                (Codec.diff), as they are, up to the end of the state; the receiver patches the bytes
 *                it holds with them (only a receiver that listed the format in its handshake is sent one).
 *   Nothing may follow the body.
 *
 * A diff's base is implicit: the state the receiver holds (the link is ordered, and the sender diffs
 * against the last state it sent). The check byte makes a receiver that holds something else (a state
 * sent before a resumed session, one taken from elsewhere before the first diff arrived) ask for the
 * full state instead of patching the wrong base. Definitions are taken even from a state the receiver
 * then drops, so its table stays a prefix of the sender's dictionary.
 */

const SYNCHRONIZED = 0x01;
const FORM = 0x06;
const FULL = 0x00;
const DIFF = 0x02;
const FLAG_ONLY = 0x04;
const EPOCH = 0x08;
const FORMAT = 0x10;
const DEFINITIONS = 0x20;
const SAME_LENGTH = 0x40;
const RESERVED = 0x80;

const OPS = ["add", "remove", "replace"] as const;
/** Path field values of an operation byte: an index 0–61 is inline, these two escape. */
const LARGE_INDEX = 62;
const LITERAL = 63;

const MAX_FORMATS = 8;

const writer = new ByteWriter();

// ---- encoding -------------------------------------------------------------------------------------

/** A state in full: its data as binary JSON, or as the bytes they are for any format but JSON. */
export function encodeFull(state: ObjectState<unknown>): Uint8Array {
  writer.reset();
  head(state, FULL);
  wholeVersion(state.version);
  if (isJsonFormat(state.format)) writeJson(writer, state.data as JsonValue);
  else writer.bytes(state.data as Uint8Array);
  return writer.finish();
}

/** Only the synchronized flag (and epoch) of a state whose version and data the receiver holds. */
export function encodeFlag(state: ObjectState<unknown>): Uint8Array {
  writer.reset();
  head(state, FLAG_ONLY);
  wholeVersion(state.version);
  return writer.finish();
}

/** A diff as encoded once for every receiver at its base: its bytes, where definitions would go, and the table length it needs. */
export interface EncodedDiff {
  /** The state without definitions: for receivers that hold `needs` paths or more. */
  readonly bytes: Uint8Array;
  /** Bytes before the version (flags, epoch, format): definitions go after them. */
  readonly head: number;
  /** How many of the dictionary's paths the receiver must hold (1 + the highest index used; 0 for none). */
  readonly needs: number;
}

/** `state` as `patch` from the state of version `base`, its paths interned in `dictionary`. */
export function encodeDiff(state: ObjectState<unknown>, base: Version, patch: readonly PatchOperation[], dictionary: PathDictionary | undefined): EncodedDiff {
  writer.reset();
  const headLength = diffHead(state, base);
  let needs = 0;
  for (const operation of patch) {
    const op = operation.op === "add" ? 0 : operation.op === "remove" ? 0x40 : 0x80;
    const index = dictionary?.intern(operation.path);
    if (index === undefined) {
      writer.byte(op | LITERAL);
      writer.text(operation.path, stringLength);
    } else {
      if (index >= needs) needs = index + 1;
      if (index < LARGE_INDEX) writer.byte(op | index);
      else {
        writer.byte(op | LARGE_INDEX);
        writer.uint(index - LARGE_INDEX);
      }
    }
    if (operation.op !== "remove") writeJson(writer, operation.value);
  }
  return { bytes: writer.finish(), head: headLength, needs };
}

/** `state`, of a format other than JSON, as `diff` (its codec's diff of its bytes) from the state of version `base`. */
export function encodeBytesDiff(state: ObjectState<unknown>, base: Version, diff: Uint8Array): Uint8Array {
  writer.reset();
  diffHead(state, base);
  writer.bytes(diff);
  return writer.finish();
}

/** Writes a diff's flags, epoch, format and version against `base`; returns where its version starts (where definitions would go). */
function diffHead(state: ObjectState<unknown>, base: Version): number {
  const version = state.version;
  const whole = !deltasFit(version, base);
  const sameLength = !whole && version.length === base.length;
  head(state, sameLength ? DIFF | SAME_LENGTH : DIFF);
  const headLength = writer.pos;
  if (!sameLength) writer.uint(whole ? version.length + MAX_VERSION_LENGTH : version.length);
  writer.byte(versionCheck(base));
  for (let i = 0; i < version.length; i++) writer.int(!whole && i < base.length ? version[i]! - base[i]! : version[i]!);
  return headLength;
}

/** `diff` with the definitions of `dictionary`'s paths from `from` to what it needs, for a receiver that holds only `from` of them. */
export function withDefinitions(diff: EncodedDiff, dictionary: PathDictionary, from: number): Uint8Array {
  writer.reset();
  const bytes = diff.bytes;
  writer.byte(bytes[0]! | DEFINITIONS);
  writer.bytes(bytes.subarray(1, diff.head));
  writer.uint(from);
  writer.uint(diff.needs - from);
  for (let i = from; i < diff.needs; i++) writer.text(dictionary.paths[i]!, stringLength);
  writer.bytes(bytes.subarray(diff.head));
  return writer.finish();
}

/** Whether each of `version`'s components differs from `base`'s by a safe integer. */
function deltasFit(version: Version, base: Version): boolean {
  for (let i = 0; i < version.length && i < base.length; i++) if (!Number.isSafeInteger(version[i]! - base[i]!)) return false;
  return true;
}

function head(state: ObjectState<unknown>, form: number): void {
  const epoch = state.epoch ?? 0;
  const format = isJsonFormat(state.format) ? undefined : state.format;
  writer.byte((state.synchronized ? SYNCHRONIZED : 0) | form | (epoch !== 0 ? EPOCH : 0) | (format !== undefined ? FORMAT : 0));
  if (epoch !== 0) writer.uint(epoch);
  if (format !== undefined) {
    writer.byte(format.length);
    for (const name of format) writer.text(name, stringLength);
  }
}

function wholeVersion(version: Version): void {
  writer.uint(version.length);
  for (const component of version) writer.int(component);
}

function stringLength(into: ByteWriter, length: number): void {
  into.uint(length);
}

/**
 * One byte that names a version, so that a receiver can tell (most of the time) that a diff was made
 * against a state it does not hold. Changes whenever any component changes by less than 2^32.
 */
export function versionCheck(version: Version): number {
  let h = 0;
  for (const component of version) h = (Math.imul(h, 31) + (component >>> 0) + Math.floor(component / 0x1_0000_0000)) | 0;
  return (h ^ (h >>> 8) ^ (h >>> 16) ^ (h >>> 24)) & 0xff;
}

// ---- decoding -------------------------------------------------------------------------------------

/** Whether `bytes`, a state from the wire, carries data (full or diff) rather than only a flag. */
export function carriesData(bytes: Uint8Array): boolean {
  return bytes.length > 0 && (bytes[0]! & FORM) !== FLAG_ONLY;
}

/** Whether `bytes`, a state made by this codec, is a diff. */
export function isDiff(bytes: Uint8Array): boolean {
  return bytes.length > 0 && (bytes[0]! & FORM) === DIFF;
}

/**
 * Decodes a state from the wire. Its definitions go into `table` first, whatever follows. A diff is
 * resolved against `base`, the version the receiver holds; with no base (the receiver holds nothing,
 * or waits for a full state), or when its check byte names another base, the rest is not read (its
 * version's length may be the base's) and undefined is returned: the receiver asks for the full state.
 *
 * @param session the object session (named in errors)
 * @param formats the formats besides JSON whose diffs this side takes (it listed them); absent: none
 * @throws StateDecodeError for anything but a well-formed state (a diff of a format not in `formats` too)
 */
export function decodeState(
  bytes: Uint8Array,
  base: Version | undefined,
  table: PathTable,
  session: { toString(): string },
  formats?: Pick<LinkFormats, "from">,
): DecodedState | undefined {
  const reader = new ByteReader(bytes, session);
  const flags = reader.byte("flags");
  if ((flags & RESERVED) !== 0) {
    reader.pos = 0;
    throw reader.fault(`reserved flag bits 0x${(flags & RESERVED).toString(16)} are set`);
  }
  const form = flags & FORM;
  if (form === FORM) {
    reader.pos = 0;
    throw reader.fault("its form bits name no form");
  }
  if ((flags & SAME_LENGTH) !== 0 && form !== DIFF) {
    reader.pos = 0;
    throw reader.fault("version-same-length is set on a state that is not a diff");
  }
  const s = (flags & SYNCHRONIZED) !== 0;
  const e = (flags & EPOCH) !== 0 ? reader.uint("epoch") : undefined;
  const f = (flags & FORMAT) !== 0 ? readFormat(reader) : undefined;
  if ((flags & DEFINITIONS) !== 0) readDefinitions(reader, table);
  const opaque = f !== undefined && !isJsonFormat(f);
  if (form !== DIFF) {
    const v = readWholeVersion(reader);
    let d: JsonValue | Uint8Array | undefined;
    if (form === FULL && opaque) d = reader.rest();
    else if (form === FULL) {
      d = readJson(reader, STRUCTURAL_DATA_LIMITS.maxDepth);
      dataField(d);
    }
    if (reader.left > 0) throw reader.fault(`${reader.left} bytes follow the state`);
    return shaped(v, e, s, f, d, undefined);
  }
  if (opaque && formats?.from(f[f.length - 1]!) === undefined) {
    reader.pos = 0;
    throw reader.fault(`a diff of the format ${JSON.stringify(f)}, which this side did not list as one it can patch`);
  }
  const sameLength = (flags & SAME_LENGTH) !== 0;
  const length = sameLength ? undefined : reader.uint("version length");
  if (length !== undefined && (length < 1 || length > 2 * MAX_VERSION_LENGTH)) {
    throw reader.fault(`a version of ${length > MAX_VERSION_LENGTH ? length - MAX_VERSION_LENGTH : length} components (1 to ${MAX_VERSION_LENGTH})`);
  }
  const check = reader.byte("base check");
  // Without the base, the rest cannot be read (its components follow the base's length): dropped.
  if (base === undefined || check !== versionCheck(base)) return undefined;
  const whole = length !== undefined && length > MAX_VERSION_LENGTH;
  const n = length === undefined ? base.length : whole ? length - MAX_VERSION_LENGTH : length;
  const components = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const read = reader.int("version component");
    components[i] = !whole && i < base.length ? base[i]! + read : read;
  }
  const p = opaque ? undefined : readPatch(reader, table);
  const x = opaque ? reader.rest() : undefined;
  try {
    assertVersion(components);
  } catch (error) {
    if (error instanceof InvalidVersionError) throw reader.fault(`its version against the base ${JSON.stringify(base)} is invalid: ${error.message}`);
    throw error;
  }
  return shaped(components, e, s, f, undefined, p, x);
}

/** The decoded state as a literal of one fixed shape per form (V8 then gives each form one hidden class). */
function shaped(
  v: Version,
  e: number | undefined,
  s: boolean,
  f: readonly string[] | undefined,
  d: JsonValue | Uint8Array | undefined,
  p: readonly PatchOperation[] | undefined,
  x?: Uint8Array,
): DecodedState {
  const epoch = e === 0 ? undefined : e;
  if (d !== undefined) return { v, e: epoch, s, f, d };
  if (p !== undefined) return { v, e: epoch, s, f, p };
  return x !== undefined ? { v, e: epoch, s, f, x } : { v, e: epoch, s, f };
}

function readFormat(reader: ByteReader): readonly string[] {
  const n = reader.byte("format count");
  if (n < 1 || n > MAX_FORMATS) throw reader.fault(`a format of ${n} names (1 to ${MAX_FORMATS})`);
  const format = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const name = reader.text(reader.uint("format name length"), "format name");
    if (name.length > MAX_FORMAT_NAME_LENGTH) throw reader.fault(`a format name of ${name.length} characters (at most ${MAX_FORMAT_NAME_LENGTH})`);
    format[i] = name;
  }
  return format;
}

function readDefinitions(reader: ByteReader, table: PathTable): void {
  const paths = table.paths;
  const from = reader.uint("definitions' first index");
  if (from !== paths.length) throw reader.fault(`definitions from index ${from}, but the receiver holds ${paths.length} paths`);
  const n = reader.count("definitions' count");
  if (n < 1 || from + n > MAX_INTERNED_PATHS) throw reader.fault(`${n} definitions from index ${from} (1 or more, up to index ${MAX_INTERNED_PATHS - 1})`);
  for (let i = 0; i < n; i++) {
    const length = reader.uint("definition's length");
    if (length > MAX_INTERNED_PATH_BYTES) throw reader.fault(`a definition of ${length} bytes (at most ${MAX_INTERNED_PATH_BYTES})`);
    paths.push(readPath(reader, length));
  }
}

function readPath(reader: ByteReader, length: number): string {
  const path = reader.text(length, "path");
  const depth = pointerDepth(path);
  if (depth < 0) throw reader.fault(`the path ${JSON.stringify(path.slice(0, 40))} is not a JSON Pointer`);
  if (depth > STRUCTURAL_DATA_LIMITS.maxDepth) throw reader.fault(`a path deeper than ${STRUCTURAL_DATA_LIMITS.maxDepth} segments`);
  return path;
}

function readWholeVersion(reader: ByteReader): Version {
  const length = reader.uint("version length");
  if (length < 1 || length > MAX_VERSION_LENGTH) throw reader.fault(`a version of ${length} components (1 to ${MAX_VERSION_LENGTH})`);
  const version = new Array<number>(length);
  for (let i = 0; i < length; i++) version[i] = reader.int("version component");
  try {
    assertVersion(version);
  } catch (error) {
    if (error instanceof InvalidVersionError) throw reader.fault(`an invalid version: ${error.message}`);
    throw error;
  }
  return version;
}

function readPatch(reader: ByteReader, table: PathTable): PatchOperation[] {
  const patch: PatchOperation[] = [];
  const paths = table.paths;
  while (reader.left > 0) {
    if (patch.length >= DEFAULT_PATCH_LIMITS.maxOps) throw reader.fault(`more than ${DEFAULT_PATCH_LIMITS.maxOps} patch operations`);
    const byte = reader.byte("operation");
    const op = OPS[byte >>> 6];
    if (op === undefined) {
      reader.pos--;
      throw reader.fault(`an unknown patch operation ${byte >>> 6}`);
    }
    const ref = byte & 0x3f;
    let path: string;
    if (ref === LITERAL) path = readPath(reader, reader.uint("path length"));
    else {
      const index = ref === LARGE_INDEX ? LARGE_INDEX + reader.uint("path index") : ref;
      const known = paths[index];
      if (known === undefined) throw reader.fault(`a reference to path ${index}, never defined (the receiver holds ${paths.length})`);
      path = known;
    }
    patch.push(op === "remove" ? { op, path } : { op, path, value: readJson(reader, STRUCTURAL_DATA_LIMITS.maxDepth) });
  }
  return patch;
}
