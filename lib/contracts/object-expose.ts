import { OneEntrySet } from "../exchange/entry-set.js";
import type { DenialSurfaces } from "./denial-surfaces.js";
import type { Observable } from "rxjs";
import type { ObjectDescriptor } from "../descriptor/object-descriptor.js";
import { LatestIterator } from "../events/latest-iterator.js";
import type { ObjectEntry } from "../exchange/object-entry.js";
import type { Exposer } from "../exchange/participants.js";
import type { Codec } from "./codec.js";
import { Contract } from "./contract.js";
import type { ContractContext } from "./contract-context.js";
import { ExposedState, type SetOptions } from "./exposed-state.js";

/** Options of an expose contract (object or tag). */
export interface ExposeOptions<T = never> {
  /** Relative weight for load balancing among candidates (default 1): capacities 1 and 3 split load 1:3. */
  readonly capacity?: number;
  /**
   * Encodes every value given to `set()` (see Codec): states then carry the bytes, with the format
   * `[codec.format]`, and the data need not be JSON. Without one, data is JSON, or a Uint8Array sent as
   * it is (format `["bytes"]`).
   */
  readonly codec?: Codec<T>;
}

/** Offers to expose one object. It is elected (assigned) only while someone observes the object. */
export interface ObjectExpose<T> extends DenialSurfaces {
  readonly descriptor: ObjectDescriptor;
  /** True while this contract is the elected exposer of its object. */
  readonly assigned: boolean;
  /** Replays the current assignment, then every change; completes on terminate. */
  readonly assigned$: Observable<boolean>;
  /** The current assignment first, then changes (latest wins for a slow consumer); ends on terminate. */
  assignments(): AsyncIterable<boolean>;
  /** Calls `callback` on every assignment change; returns the unsubscribe function. */
  onAssigned(callback: (assigned: boolean) => void): () => void;
  /**
   * Sets the object's data: published at once while this contract is the elected exposer, else kept
   * (the latest value only, as long as the contract lives) and published when it is assigned. Returns
   * false, keeping the previous value, when `version` is given and is not newer than the latest known.
   *
   * `data` is validated as JSON and frozen deeply, the caller's object itself (observers share it, with
   * no copy): do not change it afterwards; build a new object for the next state, reusing the unchanged
   * parts. With a codec, `data` is encoded at once (CodecEncodeError if that fails); a Uint8Array
   * without one is kept as it is, not copied and not frozen (bytes cannot be): do not write it afterwards.
   */
  set(data: T, options?: SetOptions): boolean;
  /** Observers see synchronized=false until the next set(). */
  desynchronize(): void;
  readonly terminated: boolean;
  terminate(): void;
}

/** @internal The object-expose contract as the exchange sees it: an exposer candidate. */
export class ObjectExposeContract<T> extends Contract<boolean> implements ObjectExpose<T>, Exposer {
  readonly id: number;
  readonly capacity: number;
  readonly assignedEntries = new OneEntrySet();
  readonly descriptor: ObjectDescriptor;
  private entry: ObjectEntry | undefined;
  private readonly exposed = new ExposedState();
  private stream: Observable<boolean> | undefined;

  /** @param codec checked already (see checkedCodec) */
  constructor(
    context: ContractContext,
    descriptor: ObjectDescriptor,
    capacity: number,
    private readonly codec: Codec<T> | undefined,
  ) {
    super(context);
    this.id = context.exchange.nextId();
    this.capacity = capacity;
    this.entry = context.exchange.addObjectExposer(descriptor, this);
    this.descriptor = this.entry.descriptor; // the node's interned copy; the caller's can be collected
  }

  get assigned(): boolean {
    return this.assignedEntries.size > 0;
  }

  get assigned$(): Observable<boolean> {
    return (this.stream ??= this.observable(() => [this.assigned]));
  }

  assignments(): AsyncIterable<boolean> {
    const iterator = new LatestIterator<boolean>(() => stop());
    iterator.push(this.assigned);
    const stop = this.follow((assigned) => iterator.push(assigned), () => iterator.end());
    return iterator;
  }

  onAssigned(callback: (assigned: boolean) => void): () => void {
    return this.listen("onAssigned", callback);
  }

  set(data: T, options?: SetOptions): boolean {
    this.assertLive("set");
    const { exchange, clock, dataLimits } = this.context;
    return this.exposed.set(data, options, exchange, this, this.entry, clock, dataLimits, this.codec);
  }

  desynchronize(): void {
    this.assertLive("desynchronize");
    this.exposed.desynchronize(this.context.exchange, this, this.entry);
  }

  override get exposedValueCount(): number {
    return this.exposed.current === undefined ? 0 : 1;
  }

  get role(): "expose" {
    return "expose";
  }

  override toString(): string {
    return `expose ${this.descriptor}`;
  }

  /** @internal */
  electedFor(entry: ObjectEntry): void {
    this.exposed.publishOnAssignment(this.context.exchange, this, entry, this.context.clock);
    this.emitEvent(true);
  }

  /** @internal */
  releasedFrom(): void {
    this.emitEvent(false);
  }

  protected leave(): void {
    const entry = this.entry;
    this.entry = undefined;
    if (entry) this.context.exchange.removeObjectExposer(entry, this);
  }
}
