/**
 * The wire codec, measured: the messages an object session sends for the fan-out workload (a 1 KB
 * object of 20 fields of 36-character strings, `seq` and a float timestamp `t`; each update bumps
 * `seq`, sets `t` and changes one string field), each a State diff ({ v, s, b, p }) as the link sends
 * it today, encoded by today's JSON codec, msgpackr and @msgpack/msgpack, against a
 * hand-written varint codec for that message shape (bench/support/varint-wire-codec.ts) measured in
 * the same run: bytes per update, and encode and decode rates in rounds alternating with the
 * hand-written codec's, each pair in a process of its own. The libraries also encode the message as a positional tuple, the shape a
 * binary wire would give them (field names and op names out of the bytes). Then what the issue's
 * further ideas save on the same messages: versions as deltas against the base, JSON Patch paths
 * interned per stream, both; against the physical bound of the changed content.
 */
import { fileURLToPath } from "node:url";
import { decode as msgpackDecode, encode as msgpackEncode } from "@msgpack/msgpack";
import { Packr } from "msgpackr";
import { jsonCodec } from "../bindings/json-codec.js";
import { jsonEqual } from "../lib/descriptor/json-equal.js";
import type { JsonValue } from "../lib/descriptor/json-value.js";
import { diffJson, type PatchOperation } from "../lib/sync/json-patch/index.js";
import type { WireState } from "../lib/sync/wire-state.js";
import type { Version } from "../lib/state/version.js";
import type { BenchResult, BenchScenario } from "./result.js";
import { forkIpcChild, serveIpc } from "./support/ipc-child.js";
import { bestRates, type RateOptions } from "./support/interleaved-rates.js";
import { VarintWireDecoder, VarintWireEncoder, type VarintWireOptions } from "./support/varint-wire-codec.js";

/** Updates in the stream; the rate rounds cycle through them. */
const UPDATES = 256;
const ROUNDS: RateOptions = { roundMs: 150, rounds: 5 };
/** bestRates counts megabytes per second of inputs of a given size: one "megabyte" a call makes it calls per second. */
const PER_CALL = 1_000_000;
/** The rule: take the library unless it costs more than this. */
const LIBRARY_TOLERANCE = 1.1;
/** The physical bound: the changed content of an update (a 36-character string, `t` in 8 bytes, `seq`, which field changed). */
const PHYSICAL_BOUND = 48;

/** The stream of State diffs one update after another makes (today's wire form, as state-encoding.ts writes it). */
function stateStream(): WireState[] {
  const text = (n: number) => `${n.toString(16).padStart(8, "0")}-5e1f-4c3a-9b2d-7f60a1c2e3d4`;
  const built: { [key: string]: JsonValue } = { seq: 0, t: 1765100000123.456 };
  for (let f = 0; f < 20; f++) built[`field${f}`] = text(f);
  let state = JSON.parse(JSON.stringify(built)) as { [key: string]: JsonValue };
  let version: Version = [Math.floor(state.t as number), 0];
  const messages: WireState[] = [];
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

/** A codec under test: a name, encode and decode of one message, and the hand-written options it is paired with. */
interface Codec {
  readonly name: string;
  /** The v2 ideas its message shape applies; the hand-written codec it is measured against applies the same. */
  readonly ideas: VarintWireOptions;
  encode(message: WireState): Uint8Array;
  decode(bytes: Uint8Array): WireState;
}

const TODAY: VarintWireOptions = { deltaVersions: false, internPaths: false };
const V2: VarintWireOptions = { deltaVersions: true, internPaths: true };

const OP_CODES = { add: 0, remove: 1, replace: 2 } as const;
const OP_NAMES = ["add", "remove", "replace"] as const;
type TupleOperation = (number | string | JsonValue)[];
type Tuple = [number, Version | number, Version, TupleOperation[]];

/**
 * The message as a positional tuple, [s, v, b, [[op code, path, value?], …]] (diffs only: the workload's
 * messages). With the v2 ideas (stream state, so one instance per direction of a stream): `b` is 0 when it
 * is the version this stream carried last, `v` holds its differences against `b`, and a path already
 * carried is its index, a new one its text.
 */
class TupleShape {
  private last: Version | undefined;
  private readonly paths: string[] = [];
  private readonly pathIndex = new Map<string, number>();

  constructor(private readonly ideas: VarintWireOptions) {}

  to(message: WireState): Tuple {
    const v = message.v;
    const b = message.b!;
    const delta = this.ideas.deltaVersions;
    const base = delta && this.last !== undefined && sameVersion(this.last, b) ? 0 : b;
    this.last = v;
    return [
      message.s ? 1 : 0,
      base,
      delta ? v.map((component, i) => (i < b.length ? component - b[i]! : component)) : v,
      message.p!.map((operation) => {
        const path = this.path(operation.path);
        return operation.op === "remove" ? [OP_CODES.remove, path] : [OP_CODES[operation.op], path, operation.value];
      }),
    ];
  }

  from(tuple: Tuple): WireState {
    const [s, base, version, operations] = tuple;
    const b = typeof base === "number" ? this.last! : base;
    const v = this.ideas.deltaVersions ? version.map((component, i) => (i < b.length ? component + b[i]! : component)) : version;
    this.last = v;
    const p = operations.map(([code, path, value]) => {
      const op = OP_NAMES[code as number]!;
      const text = typeof path === "number" ? this.paths[path]! : this.learn(path as string);
      return (op === "remove" ? { op, path: text } : { op, path: text, value }) as PatchOperation;
    });
    return { v, s: s === 1, b, p };
  }

  private path(path: string): number | string {
    if (!this.ideas.internPaths) return path;
    const index = this.pathIndex.get(path);
    if (index !== undefined) return index;
    this.pathIndex.set(path, this.paths.length);
    this.paths.push(path);
    return path;
  }

  private learn(path: string): string {
    if (this.ideas.internPaths) this.paths.push(path);
    return path;
  }
}

function sameVersion(a: Version, b: Version): boolean {
  return a.length === b.length && a.every((component, i) => component === b[i]);
}

/**
 * A library's codecs, each made fresh (the v2 shape keeps stream state): on today's message objects, on
 * their tuples, and on the tuples of the v2 ideas.
 */
function libraryCodecs(name: string, encode: (value: unknown) => Uint8Array, decode: (bytes: Uint8Array) => unknown): (() => Codec)[] {
  const tupled = (label: string, ideas: VarintWireOptions) => (): Codec => {
    const out = new TupleShape(ideas);
    const back = new TupleShape(ideas);
    return { name: `${name}, ${label}`, ideas, encode: (message) => encode(out.to(message)), decode: (bytes) => back.from(decode(bytes) as Tuple) };
  };
  return [
    () => ({ name, ideas: TODAY, encode, decode: (bytes) => decode(bytes) as WireState }),
    tupled("tuple", TODAY),
    tupled("tuple, versions as deltas, paths interned", V2),
  ];
}

function codecs(): (() => Codec)[] {
  // Standard MessagePack maps (msgpackr's records extension is msgpackr-only and keeps state per stream).
  const packr = new Packr({ useRecords: false });
  return [
    () => ({ name: "JSON (today)", ideas: TODAY, encode: (message) => jsonCodec.encode(message), decode: (bytes) => jsonCodec.decode(bytes) as WireState }),
    ...libraryCodecs("msgpackr", (value) => packr.pack(value), (bytes) => packr.unpack(bytes)),
    ...libraryCodecs("@msgpack/msgpack", (value) => msgpackEncode(value), (bytes) => msgpackDecode(bytes)),
  ];
}

/** Every message of `messages` through `encode` then `decode` comes back equal, or the scenario is broken. */
function checkRoundTrip(name: string, messages: readonly WireState[], encode: (m: WireState) => Uint8Array, decode: (b: Uint8Array) => WireState): Uint8Array[] {
  const encoded = messages.map((message) => encode(message).slice()); // owned bytes: JSON's encoder reuses its buffer
  encoded.forEach((bytes, i) => {
    if (!jsonEqual(decode(bytes) as unknown as JsonValue, messages[i] as unknown as JsonValue)) {
      throw new Error(`${name} does not give back message ${i} it encoded; the scenario is broken.`);
    }
  });
  return encoded;
}

function meanLength(encoded: readonly Uint8Array[]): number {
  return encoded.reduce((sum, bytes) => sum + bytes.length, 0) / encoded.length;
}

/** Bytes of the stream's messages through a hand-written encoder and decoder with `options`, checked. */
function streamBytes(messages: readonly WireState[], options: VarintWireOptions): number {
  const encoder = new VarintWireEncoder(options);
  const decoder = new VarintWireDecoder(options);
  return meanLength(checkRoundTrip("the hand-written codec", messages, (m) => encoder.encode(m), (b) => decoder.decode(b)));
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

/** What one codec's process measures: its mean bytes and rates, and those of the hand-written codec it is paired with. */
interface Measured {
  readonly name: string;
  readonly ideas: VarintWireOptions;
  readonly mean: number;
  readonly handMean: number;
  readonly encode: number;
  readonly handEncode: number;
  readonly decode: number;
  readonly handDecode: number;
}

/**
 * Measures codec number `index` of `codecs()` against the hand-written codec with the same ideas. Runs
 * in a process of its own: in one process shared by all codecs, the code measured first (and the
 * measuring loop's call sites) is optimized for what it saw first and slows as others come through, so
 * the pairs measured later would be judged against a slower hand-written codec.
 */
function measure(index: number): Measured {
  const messages = stateStream();
  const codec = codecs()[index]!();
  const encoder = new VarintWireEncoder(codec.ideas);
  const decoder = new VarintWireDecoder(codec.ideas);
  const handEncoded = checkRoundTrip("the hand-written codec", messages, (m) => encoder.encode(m), (b) => decoder.decode(b));
  const encoded = checkRoundTrip(codec.name, messages, (m) => codec.encode(m), (b) => codec.decode(b));
  const [encode, handEncode] = rates((i) => codec.encode(messages[i]!), (i) => encoder.encode(messages[i]!));
  const [decode, handDecode] = rates((i) => codec.decode(encoded[i]!), (i) => decoder.decode(handEncoded[i]!));
  return { name: codec.name, ideas: codec.ideas, mean: meanLength(encoded), handMean: meanLength(handEncoded), encode, handEncode, decode, handDecode };
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

/** A codec's three figures against the hand-written codec: bytes, encode rate, decode rate. */
function figures(measured: Measured): BenchResult[] {
  const { name, mean, handMean } = measured;
  const against = measured.ideas.deltaVersions ? "hand-written, versions as deltas, paths interned" : "hand-written varint codec";
  const json = name.startsWith("JSON");
  // The rule decides between codecs; a library below it is a choice made, not a goal of the project missed.
  const rule = json ? {} : { goal: `library taken if ≥ ${(1 / LIBRARY_TOLERANCE).toFixed(2)}× in all three` };
  return [
    {
      name: `wire-codec/bytes per update, ${name}`,
      value: mean,
      unit: "B",
      baseline: { name: against, value: handMean },
      ratio: handMean / mean,
      ...rule,
      notes: `${((mean / handMean - 1) * 100).toFixed(0)}% more bytes than hand-written`,
    },
    {
      name: `wire-codec/encode, ${name}`,
      value: measured.encode,
      unit: "messages/s",
      baseline: { name: against, value: measured.handEncode },
      ratio: measured.encode / measured.handEncode,
      ...rule,
      notes: "each pair measured in a process of its own",
    },
    {
      name: `wire-codec/decode, ${name}`,
      value: measured.decode,
      unit: "messages/s",
      baseline: { name: against, value: measured.handDecode },
      ratio: measured.decode / measured.handDecode,
      ...rule,
      notes: json ? "jsonCodec.decode: the depth scan, then JSON.parse" : "each pair measured in a process of its own",
    },
  ];
}

const scenario: BenchScenario = {
  name: "wire-codec (the fan-out workload's State diffs: JSON, MessagePack and CBOR libraries against a hand-written varint codec)",
  async run(progress) {
    const results: BenchResult[] = [];
    const count = codecs().length;
    for (let index = 0; index < count; index++) {
      const measured = await measureApart(index);
      progress(`${measured.name}: against the hand-written codec`);
      results.push(...figures(measured));
    }
    progress("v2 ideas: version deltas and interned paths");
    const messages = stateStream();
    const handMean = streamBytes(messages, TODAY);
    const ideas: [string, VarintWireOptions][] = [
      ["versions as deltas", { deltaVersions: true, internPaths: false }],
      ["paths interned", { deltaVersions: false, internPaths: true }],
      ["versions as deltas and paths interned", V2],
    ];
    for (const [label, options] of ideas) {
      const mean = streamBytes(messages, options);
      results.push({
        name: `wire-codec/bytes per update, hand-written with ${label}`,
        value: mean,
        unit: "B",
        baseline: { name: "hand-written varint codec", value: handMean },
        ratio: handMean / mean,
        notes: `saves ${(handMean - mean).toFixed(1)} B per update; physical bound ${PHYSICAL_BOUND} B`,
      });
    }
    results.push({
      name: "wire-codec/bytes per update, hand-written, against the physical bound",
      value: handMean,
      unit: "B",
      baseline: { name: "changed content (seq, t, one string, which field)", value: PHYSICAL_BOUND },
      ratio: PHYSICAL_BOUND / handMean,
      notes: "plus 2 B of WebSocket framing on the wire either way",
    });
    return results;
  },
};
export default scenario;

if (process.argv[2] === "--serve") {
  serveIpc({}, (request) => measure(request.index as number), async () => undefined);
}
