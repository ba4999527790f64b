import type { JsonValue } from "../descriptor/json-value.js";
import { epochOf, isJsonFormat, type ObjectState, sameFormat } from "../state/object-state.js";
import { compareVersions, type Version } from "../state/version.js";
import { frozenDataLength } from "../state/frozen-data.js";
import { diffJson, type PatchOperation, worthwhilePatchLength } from "./json-patch/index.js";
import type { OutboundPaths, PathDictionary } from "./wire/path-dictionary.js";
import { encodeBytesDiff, encodeDiff, encodeFlag, encodeFull, type EncodedDiff, isDiff, withDefinitions } from "./wire/state-codec.js";
import type { LinkFormats } from "./link-formats.js";
import type { BytesDiff } from "../state/format-diffs.js";
import { TickMap } from "./tick-map.js";
import type { WireState } from "./wire-state.js";

/**
 * Turns a state into its wire bytes relative to what the receiver holds: a flag change, a diff, or the
 * full state, whichever is smallest. Diffs are cached on the (immutable) state objects, so sending one
 * update to many links at the same base computes one diff and encodes it once: every link whose receiver
 * holds the paths it refers to gets the same bytes (and the binding's encode cache compresses them once);
 * a receiver that lacks some gets a variant carrying their definitions first (a new observer's first
 * diffs), itself shared by the receivers that lack the same ones. Full states are shared the same way,
 * but only for the rest of the tick (see `fullOf`). A state of any format but JSON (bytes) goes whole,
 * or as a flag change, unless the receiver can patch its format (see `bytesEncoding`).
 *
 * @param paths what the receiver holds of the object's interned paths (updated here to what it will
 *   hold); absent, paths go literally
 * @param formats the formats besides JSON this side diffs toward the receiver; absent: none
 */
export function encodeState(target: ObjectState<unknown>, base: ObjectState<unknown> | undefined, paths?: OutboundPaths, formats?: LinkFormats): WireState {
  if (base !== undefined) {
    if (base.data === target.data && compareVersions(base.version, target.version) === 0) return encodeFlag(target);
    if (!isJsonFormat(target.format) || !isJsonFormat(base.format)) return bytesEncoding(target, base, formats);
    const dictionary = paths?.dictionary;
    const cached = encodingOf(target, base, dictionary);
    if (cached !== undefined) return forReceiver(cached, paths);
    // A state that arrived as a patch against this very base goes on as that patch: no diff to compute.
    const derivedPatch = derivationOf(target, base);
    const derived = derivedPatch !== undefined && !(derivedPatch instanceof Uint8Array);
    const patch = derived ? derivedPatch : diffJson(base.data as JsonValue, target.data as JsonValue);
    // A patch that came as one was worth sending where it was made (its sender weighed it against the
    // same state): a relay forwards it without measuring the state again.
    const worthwhile = derived || worthwhilePatchLength(patch, sizeOf(target)) !== undefined;
    const encoded = worthwhile ? encodeDiff(target, base.version, patch, dictionary) : fullOf(target);
    return forReceiver(remember(target, base, dictionary, encoded), paths);
  }
  return fullOf(target);
}

/**
 * `target`, of a format other than JSON, for a receiver holding `base`: the diff of its bytes from
 * `base`'s when the receiver can patch the format (`formats`), both states are of that format, and the
 * diff is smaller than the bytes; else in full. One encoding per (state, base), shared by every link at
 * that base (their diffs come from this node's one codec for the format). A state that arrived as a diff
 * against this very base goes on as that diff.
 */
function bytesEncoding(target: ObjectState<unknown>, base: ObjectState<unknown>, formats: LinkFormats | undefined): Uint8Array {
  const format = target.format;
  const pair = formats?.toward(format[format.length - 1]!);
  const next = target.data;
  const from = base.data;
  if (pair === undefined || !(next instanceof Uint8Array) || !(from instanceof Uint8Array) || !sameFormat(format, base.format)) return fullOf(target);
  const cached = encodingOf(target, base, undefined);
  if (cached !== undefined) return cached.encoded as Uint8Array;
  const derived = derivationOf(target, base);
  const diff = derived instanceof Uint8Array ? derived : diffOf(pair, from, next);
  const encoded = diff !== undefined && diff.length < next.length ? encodeBytesDiff(target, base.version, diff) : fullOf(target);
  return remember(target, base, undefined, encoded).encoded as Uint8Array;
}

/** The encoding of `target` against `base` with paths in `dictionary`, if one was made (see BASES_PER_STATE). */
function encodingOf(target: ObjectState<unknown>, base: ObjectState<unknown>, dictionary: PathDictionary | undefined): Encoding | undefined {
  const encodings = wires.get(target)?.encodings;
  if (encodings === undefined) return undefined;
  const baseEpoch = epochOf(base);
  for (const entry of encodings) {
    if (entry.baseEpoch === baseEpoch && entry.dictionary === dictionary && compareVersions(entry.base, base.version) === 0) return entry;
  }
  return undefined;
}

/** Remembers `encoded` as `target`'s encoding against `base` with paths in `dictionary` (the oldest of BASES_PER_STATE goes). */
function remember(target: ObjectState<unknown>, base: ObjectState<unknown>, dictionary: PathDictionary | undefined, encoded: EncodedDiff | Uint8Array): Encoding {
  const encodings = (wireOf(target).encodings ??= []);
  const entry: Encoding = { base: base.version, baseEpoch: epochOf(base), dictionary, encoded };
  if (encodings.length >= BASES_PER_STATE) encodings.shift();
  encodings.push(entry);
  return entry;
}

/** The patch (JSON Patch or a codec's diff) `target` arrived as this tick against `base`, if it did. */
function derivationOf(target: ObjectState<unknown>, base: ObjectState<unknown>): Derivation["patch"] | undefined {
  const derivation = derivedThisTick.get(target);
  return derivation !== undefined && derivedFrom(derivation, base) ? derivation.patch : undefined;
}

/** The codec's diff of `next` from `base`, or undefined when it has none to give (or throws, or gives no bytes): then the state goes whole. */
function diffOf(pair: BytesDiff, base: Uint8Array, next: Uint8Array): Uint8Array | undefined {
  let diff: unknown;
  try {
    diff = pair.diff(base, next);
  } catch {
    return undefined;
  }
  return diff instanceof Uint8Array ? diff : undefined;
}

/** The length in bytes of `wire` when it is a diff (what the monitor shows as an object's last diff). */
export function patchLengthOf(wire: WireState): number | undefined {
  return isDiff(wire) ? wire.length : undefined;
}

/**
 * How many bases one state's encodings are remembered for. Links that skipped different versions sit at
 * different bases; each of those diffs is computed (and encoded) once for all links at that base.
 */
const BASES_PER_STATE = 4;

/** One state's encoding against one base: a diff (with variants carrying definitions), or the full state when a diff does not pay. */
interface Encoding {
  readonly base: Version;
  readonly baseEpoch: number;
  /** The dictionary its paths are interned in (undefined: literal paths). */
  readonly dictionary: PathDictionary | undefined;
  readonly encoded: EncodedDiff | Uint8Array;
  /** The diff with the definitions a receiver holding only `from` paths lacks, by `from`. */
  variants?: Array<{ readonly from: number; readonly bytes: Uint8Array }>;
}

/** What one state knows of its wire forms: one record per state (a weak map entry costs the GC). */
interface StateWire {
  /**
   * Encodings by base. Bases are named by their version and epoch, never held: a record holding its base
   * state would keep that state's record alive, and with it every earlier version of the object (a relay
   * would leak one state per update).
   */
  encodings?: Encoding[];
}
const wires = new WeakMap<ObjectState<unknown>, StateWire>();

function wireOf(state: ObjectState<unknown>): StateWire {
  let wire = wires.get(state);
  if (wire === undefined) wires.set(state, (wire = {}));
  return wire;
}

/** A state made by applying `patch` (a JSON Patch, or a codec's diff of bytes) to the state of version `from` in epoch `epoch`. */
interface Derivation {
  readonly from: Version;
  readonly epoch: number;
  readonly patch: readonly PatchOperation[] | Uint8Array;
}

/** Whether `derivation` was made from `base`. */
function derivedFrom(derivation: Derivation, base: ObjectState<unknown>): boolean {
  return derivation.epoch === epochOf(base) && compareVersions(derivation.from, base.version) === 0;
}

/**
 * States received as patches in this tick, with their patches. A relay fans a state out within the
 * delivery of the message that brought it, so this is where it forwards the patch as is; a link held
 * back sends a later state against an older base, which that patch could not serve anyway. Remembering
 * derivations only for the tick spares every state received (an observer's too, which never relays) a
 * weak map entry.
 */
const derivedThisTick = new TickMap<ObjectState<unknown>, Derivation>();

/** Records that `state` was made by applying `patch` (a JSON Patch, or a codec's diff) to `base` (a relay then forwards it as is). */
export function recordDerivation(state: ObjectState<unknown>, base: ObjectState<unknown>, patch: readonly PatchOperation[] | Uint8Array): void {
  derivedThisTick.set(state, { from: base.version, epoch: epochOf(base), patch });
}

/** The bytes of `entry` for a receiver holding `paths.known` paths, which then holds all the diff needs. */
function forReceiver(entry: Encoding, paths: OutboundPaths | undefined): Uint8Array {
  const encoded = entry.encoded;
  if (encoded instanceof Uint8Array) return encoded;
  const from = paths?.known ?? 0;
  if (paths === undefined || encoded.needs <= from) return encoded.bytes;
  paths.known = encoded.needs;
  const variants = (entry.variants ??= []);
  for (const variant of variants) if (variant.from === from) return variant.bytes;
  const bytes = withDefinitions(encoded, paths.dictionary, from);
  variants.push({ from, bytes });
  return bytes;
}

/**
 * Full states encoded in this tick, by state. A fan-out sends one state to every link within one
 * synchronous delivery, so sharing the bytes for the tick is all the binding's encode cache (itself per
 * tick) needs; remembering them longer would cost every idle object its bytes and a record.
 */
const fullThisTick = new TickMap<ObjectState<unknown>, Uint8Array>();

function fullOf(state: ObjectState<unknown>): Uint8Array {
  let full = fullThisTick.get(state);
  if (full === undefined) {
    full = encodeFull(state);
    fullThisTick.set(state, full);
  }
  return full;
}

/** The state's JSON size: state data is frozen, and its large containers remember their length. */
function sizeOf(state: ObjectState<unknown>): number {
  return frozenDataLength(state.data as JsonValue);
}
