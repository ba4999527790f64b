/**
 * A hand-written binary codec for one message shape, the object session's State (lib/sync/wire-state.ts):
 * the yardstick the wire-codec scenario measures libraries against. Varints for lengths, counts and
 * integers (LEB128, up to 2^53), strings as a length and their UTF-8 bytes, other numbers as 8-byte
 * floats, JSON values behind a one-byte tag. It trusts its input (a yardstick, not a wire: nothing here
 * is hardened), and can also apply two of the ideas of a v2 wire, to size what they save:
 * - `deltaVersions`: the base is named by reference to the version this stream sent last, and the
 *   version as a difference against the base;
 * - `internPaths`: a JSON Patch path's first use on the stream carries its text, later ones its index.
 * Those two keep state per stream, so an encoder and its decoder must see the same messages in order.
 */
import type { JsonValue } from "../../lib/descriptor/json-value.js";
import type { PatchOperation } from "../../lib/sync/json-patch/index.js";
import type { WireState } from "../../lib/sync/wire-state.js";
import type { Version } from "../../lib/state/version.js";

/** Which v2 ideas a stream applies. */
export interface VarintWireOptions {
  readonly deltaVersions: boolean;
  readonly internPaths: boolean;
}

const S = 1;
const EPOCH = 2;
const DIFF = 4;
const FULL = 8;
const FORMAT = 16;

const NULL = 0;
const FALSE = 1;
const TRUE = 2;
const UINT = 3;
const NEGINT = 4;
const FLOAT = 5;
const STRING = 6;
const ARRAY = 7;
const OBJECT = 8;

const OPS = ["add", "remove", "replace"] as const;

/** Bytes of the encoder's chunks: messages are written one after the other into one until it is full. */
const CHUNK = 16 * 1024;

/** Longest string the decoder builds from char codes; TextDecoder's call costs more than that below it. */
const SHORT_STRING = 12;

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

/** One direction of one stream: what it has sent (or received) so far, for the stateful options. */
class StreamState {
  last: Version | undefined;
  readonly paths: string[] = [];
  readonly pathIndex = new Map<string, number>();
}

/** Writes State messages of one stream. */
export class VarintWireEncoder {
  private buffer = new Uint8Array(CHUNK);
  private view = new DataView(this.buffer.buffer);
  /** Where the message being written starts in `buffer`; earlier bytes belong to messages already returned. */
  private start = 0;
  private pos = 0;
  private readonly stream = new StreamState();

  constructor(private readonly options: VarintWireOptions = { deltaVersions: false, internPaths: false }) {}

  /** The message's bytes: a view of a chunk later messages are written after (never over), as the libraries do. */
  encode(state: WireState): Uint8Array {
    this.start = this.pos;
    const flags =
      (state.s ? S : 0) |
      (state.e !== undefined ? EPOCH : 0) |
      (state.p !== undefined ? DIFF : 0) |
      (state.d !== undefined ? FULL : 0) |
      (state.f !== undefined ? FORMAT : 0);
    this.byte(flags);
    if (state.f !== undefined) {
      this.uint(state.f.length);
      for (const name of state.f) this.string(name);
    }
    if (state.e !== undefined) this.uint(state.e);
    if (state.p !== undefined) {
      const base = state.b!;
      if (this.options.deltaVersions) {
        const last = this.stream.last;
        if (last !== undefined && sameVersion(last, base)) this.uint(0);
        else this.version(base, 1);
        this.versionDelta(state.v, base);
      } else {
        this.version(state.v, 0);
        this.version(base, 0);
      }
      this.patch(state.p);
    } else {
      this.version(state.v, 0);
      if (state.d !== undefined) this.value(state.d);
    }
    this.stream.last = state.v;
    return this.buffer.subarray(this.start, this.pos);
  }

  private version(version: Version, offset: number): void {
    this.uint(version.length + offset);
    for (const component of version) this.uint(component);
  }

  private versionDelta(version: Version, base: Version): void {
    this.uint(version.length);
    for (let i = 0; i < version.length; i++) {
      const component = version[i]!;
      this.uint(i < base.length ? zigzag(component - base[i]!) : component);
    }
  }

  private patch(patch: readonly PatchOperation[]): void {
    this.uint(patch.length);
    for (const operation of patch) {
      this.byte(OPS.indexOf(operation.op));
      this.path(operation.path);
      if (operation.op !== "remove") this.value(operation.value);
    }
  }

  private path(path: string): void {
    if (!this.options.internPaths) return this.string(path);
    const index = this.stream.pathIndex.get(path);
    if (index !== undefined) return this.uint(index + 1);
    this.uint(0);
    this.string(path);
    this.stream.pathIndex.set(path, this.stream.paths.length);
    this.stream.paths.push(path);
  }

  private value(value: JsonValue): void {
    if (value === null) return this.byte(NULL);
    if (value === false) return this.byte(FALSE);
    if (value === true) return this.byte(TRUE);
    if (typeof value === "number") {
      if (Number.isSafeInteger(value)) {
        this.byte(value >= 0 ? UINT : NEGINT);
        return this.uint(value >= 0 ? value : -value);
      }
      this.byte(FLOAT);
      return this.float(value);
    }
    if (typeof value === "string") {
      this.byte(STRING);
      return this.string(value);
    }
    if (Array.isArray(value)) {
      this.byte(ARRAY);
      this.uint(value.length);
      for (const item of value) this.value(item);
      return;
    }
    const keys = Object.keys(value);
    this.byte(OBJECT);
    this.uint(keys.length);
    for (const key of keys) {
      this.string(key);
      this.value((value as { [key: string]: JsonValue })[key]!);
    }
  }

  private room(bytes: number): void {
    if (this.pos + bytes <= this.buffer.length) return;
    // A new chunk, with the part of the message written so far.
    const written = this.pos - this.start;
    const chunk = new Uint8Array(Math.max(CHUNK, 2 * (written + bytes)));
    chunk.set(this.buffer.subarray(this.start, this.pos));
    this.buffer = chunk;
    this.view = new DataView(chunk.buffer);
    this.start = 0;
    this.pos = written;
  }

  private byte(value: number): void {
    this.room(1);
    this.buffer[this.pos++] = value;
  }

  /** An unsigned integer up to 2^53 as LEB128 (bindings/varint.ts stops at 32 bits; versions are millisecond clocks). */
  private uint(value: number): void {
    this.room(8);
    const buffer = this.buffer;
    let pos = this.pos;
    // Above 31 bits by arithmetic, then with the integer operations V8 keeps in registers.
    while (value > 0x7fff_ffff) {
      buffer[pos++] = (value % 128) | 0x80;
      value = Math.floor(value / 128);
    }
    while (value >= 0x80) {
      buffer[pos++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    buffer[pos++] = value;
    this.pos = pos;
  }

  private float(value: number): void {
    this.room(8);
    this.view.setFloat64(this.pos, value, true);
    this.pos += 8;
  }

  private string(text: string): void {
    const length = text.length;
    if (length < 128) {
      // ASCII, the common case: one byte per character behind a one-byte length.
      this.room(1 + length);
      const buffer = this.buffer;
      const start = this.pos;
      let i = 0;
      for (; i < length; i++) {
        const code = text.charCodeAt(i);
        if (code >= 0x80) break;
        buffer[start + 1 + i] = code;
      }
      if (i === length) {
        buffer[start] = length;
        this.pos = start + 1 + length;
        return;
      }
    }
    const bytes = textEncoder.encode(text);
    this.uint(bytes.length);
    this.room(bytes.length);
    this.buffer.set(bytes, this.pos);
    this.pos += bytes.length;
  }
}

/** Reads State messages of one stream, written by a VarintWireEncoder with the same options. */
export class VarintWireDecoder {
  private bytes: Uint8Array = new Uint8Array(0);
  private view: DataView = new DataView(this.bytes.buffer);
  private pos = 0;
  private readonly stream = new StreamState();

  constructor(private readonly options: VarintWireOptions = { deltaVersions: false, internPaths: false }) {}

  decode(bytes: Uint8Array): WireState {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = 0;
    const flags = this.bytes[this.pos++]!;
    const s = (flags & S) !== 0;
    let f: string[] | undefined;
    if ((flags & FORMAT) !== 0) {
      f = [];
      for (let n = this.uint(); n > 0; n--) f.push(this.string());
    }
    const e = (flags & EPOCH) !== 0 ? this.uint() : undefined;
    let state: WireState;
    if ((flags & DIFF) !== 0) {
      let v: Version;
      let b: Version;
      if (this.options.deltaVersions) {
        const length = this.uint();
        b = length === 0 ? this.stream.last! : this.components(length - 1);
        v = this.versionDelta(b);
      } else {
        v = this.components(this.uint());
        b = this.components(this.uint());
      }
      state = { v, s, b, p: this.patch() };
    } else {
      const v = this.components(this.uint());
      state = (flags & FULL) !== 0 ? { v, s, d: this.value() } : { v, s };
    }
    this.stream.last = state.v;
    if (f !== undefined) state = { ...state, f };
    return e !== undefined ? { ...state, e } : state;
  }

  private components(length: number): Version {
    const version: number[] = [];
    for (let i = 0; i < length; i++) version.push(this.uint());
    return version;
  }

  private versionDelta(base: Version): Version {
    const length = this.uint();
    const version: number[] = [];
    for (let i = 0; i < length; i++) version.push(i < base.length ? base[i]! + unzigzag(this.uint()) : this.uint());
    return version;
  }

  private patch(): PatchOperation[] {
    const patch: PatchOperation[] = [];
    for (let n = this.uint(); n > 0; n--) {
      const op = OPS[this.bytes[this.pos++]!]!;
      const path = this.path();
      patch.push(op === "remove" ? { op, path } : { op, path, value: this.value() });
    }
    return patch;
  }

  private path(): string {
    if (!this.options.internPaths) return this.string();
    const index = this.uint();
    if (index > 0) return this.stream.paths[index - 1]!;
    const path = this.string();
    this.stream.paths.push(path);
    return path;
  }

  private value(): JsonValue {
    const tag = this.bytes[this.pos++]!;
    switch (tag) {
      case NULL:
        return null;
      case FALSE:
        return false;
      case TRUE:
        return true;
      case UINT:
        return this.uint();
      case NEGINT:
        return -this.uint();
      case FLOAT: {
        const value = this.view.getFloat64(this.pos, true);
        this.pos += 8;
        return value;
      }
      case STRING:
        return this.string();
      case ARRAY: {
        const items: JsonValue[] = [];
        for (let n = this.uint(); n > 0; n--) items.push(this.value());
        return items;
      }
      default: {
        const object: { [key: string]: JsonValue } = {};
        for (let n = this.uint(); n > 0; n--) {
          const key = this.string();
          object[key] = this.value();
        }
        return object;
      }
    }
  }

  private uint(): number {
    const bytes = this.bytes;
    let value = 0;
    let scale = 1;
    for (;;) {
      const byte = bytes[this.pos++]!;
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
  }

  private string(): string {
    const length = this.uint();
    const start = this.pos;
    this.pos += length;
    const bytes = this.bytes;
    if (length <= SHORT_STRING) {
      // A short ASCII string (paths, keys) from its char codes; anything else through TextDecoder.
      let text = "";
      for (let i = start; i < start + length; i++) {
        const code = bytes[i]!;
        if (code >= 0x80) return textDecoder.decode(bytes.subarray(start, start + length));
        text += String.fromCharCode(code);
      }
      return text;
    }
    return textDecoder.decode(bytes.subarray(start, start + length));
  }
}

function sameVersion(a: Version, b: Version): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function zigzag(value: number): number {
  return value >= 0 ? value * 2 : -value * 2 - 1;
}

function unzigzag(value: number): number {
  return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
}
