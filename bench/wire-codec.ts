/**
 * The wire codec, measured: the messages an object session sends for the fan-out workload (a 1 KB
 * object of 20 fields of 36-character strings, `seq` and a float timestamp `t`; each update bumps
 * `seq`, sets `t` and changes one string field), each a State diff. The project's state wire
 * (lib/sync/wire/state-codec.ts: versions as differences against the receiver's base, JSON Patch paths
 * interned per object, binary JSON values) against the same messages as protocol 5 sent them (objects
 * { v, s, b, p } through the JSON codec) and through msgpackr and @msgpack/msgpack: as those objects, as
 * positional tuples, and as tuples with versions as deltas and paths interned (the state wire's ideas
 * given to the library): bytes per update, and encode and decode rates in rounds alternating with the
 * state wire's, each pair in a process of its own. Then the state wire's bytes against the physical
 * bound of the changed content, and with the binding's frame header and WebSocket framing, against the
 * issue's goal of 64 B per update on the wire.
 */
import { fileURLToPath } from "node:url";
import { decode as msgpackDecode, encode as msgpackEncode } from "@msgpack/msgpack";
import { Packr } from "msgpackr";
import { frameHeaderSize } from "../bindings/frame-header.js";
import { jsonCodec } from "../bindings/json-codec.js";
import { jsonEqual } from "../lib/descriptor/json-equal.js";
import type { JsonValue } from "../lib/descriptor/json-value.js";
import { DEFAULT_FORMAT } from "../lib/state/object-state.js";
import { diffJson, type PatchOperation } from "../lib/sync/json-patch/index.js";
import { PathDictionary, PathTable } from "../lib/sync/wire/path-dictionary.js";
import { decodeState, encodeDiff, withDefinitions } from "../lib/sync/wire/state-codec.js";
import type { Version } from "../lib/state/version.js";
import type { BenchResult, BenchScenario } from "./result.js";
import { forkIpcChild, serveIpc } from "./support/ipc-child.js";
import { bestRates, type RateOptions } from "./support/interleaved-rates.js";

/** Updates in the stream; the rate rounds cycle through them. */
const UPDATES = 256;
const ROUNDS: RateOptions = { roundMs: 150, rounds: 5 };
/** bestRates counts megabytes per second of inputs of a given size: one "megabyte" a call makes it calls per second. */
const PER_CALL = 1_000_000;
/** The rule: take the library unless it costs more than this. */
const LIBRARY_TOLERANCE = 1.1;
/** The physical bound: the changed content of an update (a 36-character string, `t` in 8 bytes, `seq`, which field changed). */
const PHYSICAL_BOUND = 48;
/** The goal for an update on the wire, framing included. */
const WIRE_GOAL = 64;
/** Bytes of WebSocket framing of a small binary message from server to client. */
const WEBSOCKET_FRAMING = 2;

/** A State diff as protocol 5 sent it: the version, the flag, the base's version and the patch. */
interface StateMessage {
  readonly v: Version;
  readonly s: boolean;
  readonly b: Version;
  readonly p: readonly PatchOperation[];
}

/** The stream of State diffs one update after another makes. */
function stateStream(): StateMessage[] {
  const text = (n: number) => `${n.toString(16).padStart(8, "0")}-5e1f-4c3a-9b2d-7f60a1c2e3d4`;
  const built: { [key: string]: JsonValue } = { seq: 0, t: 1765100000123.456 };
  for (let f = 0; f < 20; f++) built[`field${f}`] = text(f);
  let state = JSON.parse(JSON.stringify(built)) as { [key: string]: JsonValue };
  let version: Version = [Math.floor(state.t as number), 0];
  const messages: StateMessage[] = [];
  for (let u = 1; u <= UPDATES; u++) {
    const t = 1765100000123.456 + u * 4.987;
    const next = { ...state, seq: u, t, [`field${(u * 7) % 20}`]: text(1000 + u) };
    const nextVersion: Version = [Math.floor(t), 0];
    messages.push({ v: nextVersion, s: true, b: version, p: diffJson(state, next) });
    state = next;
    version = nextVersion;
  }
  return messages;
}

/** A codec under test: a name, and encode and decode of one message of the stream, in order. */
interface Codec {
  readonly name: string;
  encode(message: StateMessage): Uint8Array;
  decode(bytes: Uint8Array): StateMessage;
}

/**
 * The state wire over one object session: the sender's path dictionary and the receiver's table, the
 * receiver holding the base of each diff (the stream's previous version). Its definitions go with the
 * first use of each path, as a new receiver's first diffs carry them.
 */
class StateWireStream {
  private readonly dictionary = new PathDictionary();
  private readonly table = new PathTable();
  private known = 0;

  encode(message: StateMessage): Uint8Array {
    const diff = encodeDiff({ version: message.v, format: DEFAULT_FORMAT, data: null, synchronized: message.s }, message.b, message.p, this.dictionary);
    if (diff.needs <= this.known) return diff.bytes;
    // A receiver that lacks paths: the variant with their definitions (what state-encoding.ts sends it).
    const from = this.known;
    this.known = diff.needs;
    return withDefinitions(diff, this.dictionary, from);
  }

  /** Decodes `bytes`, a diff against the state of version `base`. */
  decodeAgainst(bytes: Uint8Array, base: Version): StateMessage {
    const state = decodeState(bytes, base, this.table, "bench")!;
    return { v: state.v, s: state.s, b: base, p: state.p! };
  }
}

const OP_CODES = { add: 0, remove: 1, replace: 2 } as const;
const OP_NAMES = ["add", "remove", "replace"] as const;
type TupleOperation = (number | string | JsonValue)[];
type Tuple = [number, Version | number, Version, TupleOperation[]];

/**
 * The message as a positional tuple, [s, v, b, [[op code, path, value?], …]]. With the state wire's ideas
 * (stream state, so one instance per direction of a stream): `b` is 0 when it is the version this stream
 * carried last, `v` holds its differences against `b`, and a path already carried is its index, a new
 * one its text.
 */
class TupleShape {
  private last: Version | undefined;
  private readonly paths: string[] = [];
  private readonly pathIndex = new Map<string, number>();

  constructor(private readonly ideas: boolean) {}

  to(message: StateMessage): Tuple {
    const v = message.v;
    const b = message.b;
    const base = this.ideas && this.last !== undefined && sameVersion(this.last, b) ? 0 : b;
    this.last = v;
    return [
      message.s ? 1 : 0,
      base,
      this.ideas ? v.map((component, i) => (i < b.length ? component - b[i]! : component)) : v,
      message.p.map((operation) => {
        const path = this.path(operation.path);
        return operation.op === "remove" ? [OP_CODES.remove, path] : [OP_CODES[operation.op], path, operation.value];
      }),
    ];
  }

  from(tuple: Tuple): StateMessage {
    const [s, base, version, operations] = tuple;
    const b = typeof base === "number" ? this.last! : base;
    const v = this.ideas ? version.map((component, i) => (i < b.length ? component + b[i]! : component)) : version;
    this.last = v;
    const p = operations.map(([code, path, value]) => {
      const op = OP_NAMES[code as number]!;
      const text = typeof path === "number" ? this.paths[path]! : this.learn(path as string);
      return (op === "remove" ? { op, path: text } : { op, path: text, value }) as PatchOperation;
    });
    return { v, s: s === 1, b, p };
  }

  private path(path: string): number | string {
    if (!this.ideas) return path;
    const index = this.pathIndex.get(path);
    if (index !== undefined) return index;
    this.pathIndex.set(path, this.paths.length);
    this.paths.push(path);
    return path;
  }

  private learn(path: string): string {
    if (this.ideas) this.paths.push(path);
    return path;
  }
}

function sameVersion(a: Version, b: Version): boolean {
  return a.length === b.length && a.every((component, i) => component === b[i]);
}

/** A library's codecs, each made fresh (the tuples with the wire's ideas keep stream state): on the message objects, on their tuples, and on the tuples with the wire's ideas. */
function libraryCodecs(name: string, encode: (value: unknown) => Uint8Array, decode: (bytes: Uint8Array) => unknown): (() => Codec)[] {
  const tupled = (label: string, ideas: boolean) => (): Codec => {
    const out = new TupleShape(ideas);
    const back = new TupleShape(ideas);
    return { name: `${name}, ${label}`, encode: (message) => encode(out.to(message)), decode: (bytes) => back.from(decode(bytes) as Tuple) };
  };
  return [
    () => ({ name, encode, decode: (bytes) => decode(bytes) as StateMessage }),
    tupled("tuple", false),
    tupled("tuple, versions as deltas, paths interned", true),
  ];
}

function codecs(): (() => Codec)[] {
  // Standard MessagePack maps (msgpackr's records extension is msgpackr-only and keeps state per stream).
  const packr = new Packr({ useRecords: false });
  return [
    () => ({ name: "JSON (protocol 5)", encode: (message) => jsonCodec.encode(message), decode: (bytes) => jsonCodec.decode(bytes) as StateMessage }),
    ...libraryCodecs("msgpackr", (value) => packr.pack(value), (bytes) => packr.unpack(bytes)),
    ...libraryCodecs("@msgpack/msgpack", (value) => msgpackEncode(value), (bytes) => msgpackDecode(bytes)),
  ];
}

/** Every message of `messages` through `encode` then `decode` comes back equal, or the scenario is broken. */
function checkRoundTrip(name: string, messages: readonly StateMessage[], encode: (m: StateMessage) => Uint8Array, decode: (b: Uint8Array, i: number) => StateMessage): Uint8Array[] {
  const encoded = messages.map((message) => encode(message).slice()); // owned bytes: JSON's encoder reuses its buffer
  encoded.forEach((bytes, i) => {
    if (!jsonEqual(decode(bytes, i) as unknown as JsonValue, messages[i] as unknown as JsonValue)) {
      throw new Error(`${name} does not give back message ${i} it encoded; the scenario is broken.`);
    }
  });
  return encoded;
}

function meanLength(encoded: readonly Uint8Array[]): number {
  return encoded.reduce((sum, bytes) => sum + bytes.length, 0) / encoded.length;
}

/** The stream through the state wire, checked: each message's bytes (the first ones with their paths' definitions). */
function stateWireBytes(messages: readonly StateMessage[]): { readonly wire: StateWireStream; readonly encoded: Uint8Array[] } {
  const wire = new StateWireStream();
  return { wire, encoded: checkRoundTrip("the state wire", messages, (m) => wire.encode(m), (b, i) => wire.decodeAgainst(b, messages[i]!.b)) };
}

/** Best calls per second of `value` and `baseline`, interleaved; each call gets the next message's index. */
function rates(value: (i: number) => unknown, baseline: (i: number) => unknown): [number, number] {
  let i = 0;
  let j = 0;
  return bestRates(
    PER_CALL,
    () => (value(i++ % UPDATES) === undefined ? 0 : 1),
    () => (baseline(j++ % UPDATES) === undefined ? 0 : 1),
    ROUNDS,
  );
}

/** What one codec's process measures: its mean bytes and rates, and those of the state wire it is paired with. */
interface Measured {
  readonly name: string;
  readonly mean: number;
  readonly wireMean: number;
  readonly encode: number;
  readonly wireEncode: number;
  readonly decode: number;
  readonly wireDecode: number;
}

/**
 * Measures codec number `index` of `codecs()` against the state wire. Runs in a process of its own: in
 * one process shared by all codecs, the code measured first (and the measuring loop's call sites) is
 * optimized for what it saw first and slows as others come through, so the pairs measured later would
 * be judged against a slower state wire.
 */
function measure(index: number): Measured {
  const messages = stateStream();
  const codec = codecs()[index]!();
  const { wire, encoded: wireEncoded } = stateWireBytes(messages);
  const encoded = checkRoundTrip(codec.name, messages, (m) => codec.encode(m), (b) => codec.decode(b));
  // Every path is defined by now: the state wire encodes and decodes what a receiver that holds them gets.
  const steady = messages.map((message) => wire.encode(message));
  const [encode, wireEncode] = rates((i) => codec.encode(messages[i]!), (i) => wire.encode(messages[i]!));
  const [decode, wireDecode] = rates((i) => codec.decode(encoded[i]!), (i) => wire.decodeAgainst(steady[i]!, messages[i]!.b));
  return { name: codec.name, mean: meanLength(encoded), wireMean: meanLength(wireEncoded), encode, wireEncode, decode, wireDecode };
}

/** Measures codec number `index` in a fresh process (this file, forked with `--serve`). */
async function measureApart(index: number): Promise<Measured> {
  const child = await forkIpcChild(fileURLToPath(import.meta.url), ["--serve"], process.execArgv);
  try {
    return await child.ask<Measured>("measure", { index });
  } finally {
    await child.stop();
  }
}

/** A codec's three figures against the state wire: bytes, encode rate, decode rate. */
function figures(measured: Measured): BenchResult[] {
  const { name, mean, wireMean } = measured;
  const against = "state wire";
  const json = name.startsWith("JSON");
  // The rule decides between codecs; a library below it is a choice made, not a goal of the project missed.
  const rule = json ? {} : { goal: `library taken if ≥ ${(1 / LIBRARY_TOLERANCE).toFixed(2)}× in all three` };
  return [
    {
      name: `wire-codec/bytes per update, ${name}`,
      value: mean,
      unit: "B",
      baseline: { name: against, value: wireMean },
      ratio: wireMean / mean,
      ...rule,
      notes: `${((mean / wireMean - 1) * 100).toFixed(0)}% more bytes than the state wire`,
    },
    {
      name: `wire-codec/encode, ${name}`,
      value: measured.encode,
      unit: "messages/s",
      baseline: { name: against, value: measured.wireEncode },
      ratio: measured.encode / measured.wireEncode,
      ...rule,
      notes: "each pair measured in a process of its own",
    },
    {
      name: `wire-codec/decode, ${name}`,
      value: measured.decode,
      unit: "messages/s",
      baseline: { name: against, value: measured.wireDecode },
      ratio: measured.decode / measured.wireDecode,
      ...rule,
      notes: json ? "jsonCodec.decode: the depth scan, then JSON.parse" : "each pair measured in a process of its own",
    },
  ];
}

const scenario: BenchScenario = {
  name: "wire-codec (the fan-out workload's State diffs: the state wire against JSON and MessagePack libraries)",
  async run(progress) {
    const results: BenchResult[] = [];
    const count = codecs().length;
    for (let index = 0; index < count; index++) {
      const measured = await measureApart(index);
      progress(`${measured.name}: against the state wire`);
      results.push(...figures(measured));
    }
    const messages = stateStream();
    const { encoded } = stateWireBytes(messages);
    // The stream's later updates: every path defined, as for a receiver that has seen a few updates.
    const steady = meanLength(encoded.slice(UPDATES / 2));
    results.push({
      name: "wire-codec/bytes per update, state wire, against the physical bound",
      value: steady,
      unit: "B",
      baseline: { name: "changed content (seq, t, one string, which field)", value: PHYSICAL_BOUND },
      ratio: PHYSICAL_BOUND / steady,
      notes: `mean over the stream's second half; ${meanLength(encoded).toFixed(1)} B over all of it, with the first uses' definitions`,
    });
    // The binding's frame header for a state frame of an early session (one byte each of session, lane, label).
    const header = frameHeaderSize({ flags: 0, session: 1, lane: 1, label: 1, length: Math.round(steady) });
    const onWire = steady + header + WEBSOCKET_FRAMING;
    results.push({
      name: "wire-codec/bytes per update on the wire, state wire",
      value: onWire,
      unit: "B",
      goal: { of: "value", is: "<=", bound: WIRE_GOAL },
      notes: `the state (${steady.toFixed(1)} B), the binding's frame header (${header} B) and WebSocket framing (${WEBSOCKET_FRAMING} B)`,
    });
    return results;
  },
};
export default scenario;

if (process.argv[2] === "--serve") {
  serveIpc({}, (request) => measure(request.index as number), async () => undefined);
}
