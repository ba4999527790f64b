import type { JsonLimits } from "../descriptor/json-value.js";
import type { Exchange } from "../exchange/exchange.js";
import type { ObjectEntry } from "../exchange/object-entry.js";
import type { Exposer } from "../exchange/participants.js";
import { freezeData } from "../state/frozen-data.js";
import { BYTES_FORMAT, DEFAULT_FORMAT, epochOf, withSynchronized, type ObjectState } from "../state/object-state.js";
import { assertVersion, compareVersions, nextVersion, type Version } from "../state/version.js";
import type { Codec } from "./codec.js";
import { CodecEncodeError } from "./codec-encode-error.js";
import { DataLimitError } from "./data-limit-error.js";

/** Options of `set`. */
export interface SetOptions {
  /** An explicit version; by default one that orders after every version known for the object. */
  readonly version?: readonly number[];
}

/** A value given to `set()` as a state carries it: its format and its data (JSON, or bytes). */
export interface AcceptedValue {
  readonly format: readonly string[];
  readonly data: unknown;
}

/**
 * Checks a value given to `set()` before anything is done with it, and returns it as a state carries it:
 * with `codec`, its encoding (format `[codec.format]`); a Uint8Array as it is (BYTES_FORMAT, not copied
 * and not frozen: typed arrays cannot be); anything else validated as JSON within `limits` and frozen
 * deeply (observers share it). Bytes are bounded by `limits.maxLength`. Checks an explicit version too.
 * Throws CodecEncodeError, DataLimitError, InvalidJsonError or InvalidVersionError.
 */
export function acceptValue(data: unknown, options: SetOptions | undefined, limits: JsonLimits, codec: Codec<unknown> | undefined): AcceptedValue {
  let accepted: AcceptedValue;
  if (codec !== undefined) accepted = { format: formatOf(codec), data: encoded(codec, data) };
  else if (data instanceof Uint8Array) accepted = { format: BYTES_FORMAT, data };
  else {
    freezeData(data, limits, "$data");
    accepted = { format: DEFAULT_FORMAT, data };
  }
  if (accepted.data instanceof Uint8Array && accepted.data.length > limits.maxLength) throw new DataLimitError(accepted.data.length, limits.maxLength);
  if (options?.version !== undefined) assertVersion(options.version);
  return accepted;
}

/** The format stack of states a codec encoded: one frozen array per codec, shared by its states. */
const formats = new WeakMap<Codec<unknown>, readonly string[]>();

function formatOf(codec: Codec<unknown>): readonly string[] {
  let format = formats.get(codec);
  if (format === undefined) formats.set(codec, (format = Object.freeze([codec.format])));
  return format;
}

/** `codec.encode(data)`, checked to be bytes. */
function encoded(codec: Codec<unknown>, data: unknown): Uint8Array {
  let bytes: unknown;
  try {
    bytes = codec.encode(data);
  } catch (error) {
    throw new CodecEncodeError(codec.format, `encode threw ${error instanceof Error ? error.message : String(error)}`, error);
  }
  if (!(bytes instanceof Uint8Array)) throw new CodecEncodeError(codec.format, `encode returned ${describe(bytes)}, not a Uint8Array`);
  return bytes;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value !== "object") return typeof value;
  return value.constructor?.name ?? "an object";
}

/**
 * One object's data as its exposer holds it: the latest value set, kept while the exposer is not
 * elected and published when it is. Versions order states within one election (see ObjectState.epoch):
 * a value is published in the epoch of the election in force, and one set without an explicit version
 * is re-stamped at publish time if that election's versions moved past it meanwhile, so an exposer always
 * publishes after the latest version of its election, whatever its clock says, and never needs to order
 * after what a former exposer published.
 */
export class ExposedState {
  private state: ObjectState<unknown> | undefined;
  private autoVersion = false;

  /** The latest value set here (with synchronized=false after desynchronize()). */
  get current(): ObjectState<unknown> | undefined {
    return this.state;
  }

  /**
   * Records `data`; publishes it if `exposer` is elected for `entry`. Returns false (and keeps the
   * previous value) when an explicit version does not order after the version it must (see latestKnown).
   */
  set(
    data: unknown,
    options: SetOptions | undefined,
    exchange: Exchange,
    exposer: Exposer,
    entry: ObjectEntry | undefined,
    clock: () => number,
    limits: JsonLimits,
    codec: Codec<unknown> | undefined,
  ): boolean {
    const { format, data: stored } = acceptValue(data, options, limits, codec);
    const latest = this.latestKnown(entry, exposer);
    let version: Version;
    const explicit = options?.version;
    if (explicit !== undefined) {
      if (latest !== undefined && compareVersions(explicit, latest) <= 0) return false;
      version = explicit.slice();
      this.autoVersion = false;
    } else {
      version = nextVersion(latest, clock());
      this.autoVersion = true;
    }
    this.state = { version, format, data: stored, synchronized: true, epoch: entry?.epoch ?? 0 };
    if (entry !== undefined && entry.assignee === exposer) exchange.publish(entry, exposer, this.state);
    return true;
  }

  /** Observers see synchronized=false until the next set(). */
  desynchronize(exchange: Exchange, exposer: Exposer, entry: ObjectEntry | undefined): void {
    const state = this.state;
    if (state === undefined || !state.synchronized) return;
    this.state = withSynchronized(state, false);
    if (entry !== undefined) exchange.desynchronize(entry, exposer);
  }

  /**
   * Called when `exposer` was elected for `entry`: publishes the value held, if any. This runs inside an
   * election (often one a link message caused), so a value that cannot get a version (the object's
   * versions are used up) is reported to the node's error sink and left unpublished, never thrown.
   */
  publishOnAssignment(exchange: Exchange, exposer: Exposer, entry: ObjectEntry, clock: () => number): void {
    const state = this.state;
    if (state === undefined) return;
    const latest = entry.latestVersion;
    const epoch = entry.epoch;
    if (this.autoVersion && latest !== undefined && compareVersions(state.version, latest) <= 0) {
      let version: Version;
      try {
        version = nextVersion(latest, clock());
      } catch (error) {
        // After the election, as every event: error listeners are application code.
        exchange.defer(() => exchange.reportError(error, `${String(exposer)}, publishing its value on election`));
        return;
      }
      this.state = { version, format: state.format, data: state.data, synchronized: state.synchronized, epoch };
    } else if (epochOf(state) !== epoch) {
      this.state = { ...state, epoch };
    }
    // Elected again in the epoch its value was published in (a parent's Release, then its Assign of the
    // same epoch), that value is still the object's, only marked unsynchronized when it was taken away.
    exchange.take(entry, exposer, this.state!, "published");
  }

  /**
   * What a new value's version must order after. While elected: the newest version of the election in
   * force (this exposer's latest value's, if set in it, or the object's). Otherwise only its own latest
   * value's: it will publish in an election of its own, which no other exposer's versions hold back.
   */
  private latestKnown(entry: ObjectEntry | undefined, exposer: Exposer): Version | undefined {
    const state = this.state;
    if (entry === undefined || entry.assignee !== exposer) return state?.version;
    const mine = state !== undefined && epochOf(state) === entry.epoch ? state.version : undefined;
    const known = entry.latestVersion;
    if (mine === undefined) return known;
    if (known === undefined) return mine;
    return compareVersions(mine, known) >= 0 ? mine : known;
  }
}
