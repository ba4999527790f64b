import type { Observable } from "rxjs";
import type { DenialSurfaces } from "./denial-surfaces.js";
import type { ObjectDescriptor } from "../descriptor/object-descriptor.js";
import type { TagDescriptor } from "../descriptor/tag-descriptor.js";
import { KeyedIterator } from "../events/keyed-iterator.js";
import type { ObjectEntry } from "../exchange/object-entry.js";
import type { Exposer } from "../exchange/participants.js";
import type { TagEntry } from "../exchange/tag-entry.js";
import type { Codec } from "./codec.js";
import { Contract } from "./contract.js";
import type { ContractContext } from "./contract-context.js";
import { acceptValue, ExposedState, type SetOptions } from "./exposed-state.js";
import { TagMismatchError } from "./tag-mismatch-error.js";

/** A change of assignment of one object to a tag exposer. */
export interface TagAssignment {
  readonly descriptor: ObjectDescriptor;
  readonly assigned: boolean;
}

/**
 * Offers to expose every object carrying a tag. The exchange tells it which objects it was elected
 * for (only observed ones); it sets their data.
 */
export interface TagExpose<T> extends DenialSurfaces {
  readonly descriptor: TagDescriptor;
  /** The objects this contract is currently elected to expose. */
  readonly assigned: readonly ObjectDescriptor[];
  /** Current assignments first, then every change; completes on terminate. */
  readonly assignments$: Observable<TagAssignment>;
  /** Same order; a slow consumer gets the latest change per object, and never loses an unassignment. */
  [Symbol.asyncIterator](): AsyncIterator<TagAssignment>;
  /** Calls `callback` on every assignment change; returns the unsubscribe function. */
  onAssignment(callback: (assignment: TagAssignment) => void): () => void;
  /**
   * Sets the data of an object carrying the tag (throws TagMismatchError otherwise), and returns whether
   * the value was kept. It is published at once if this contract is the object's exposer, else kept and
   * published when it is assigned, for as long as the object exists in this node's view (while something
   * here observes or exposes it, or the parent asked this node for it); when the object leaves the view,
   * the value goes with it, so memory is bounded by live objects. Returns false, keeping nothing, when
   * the object does not exist here (nobody wants it: when it is wanted, this contract is assigned it and
   * sets it again), or when `version` is given and is not newer than the latest known.
   *
   * `data` is validated as JSON and frozen deeply, the caller's object itself (observers share it, with
   * no copy): do not change it afterwards; build a new object for the next state, reusing the unchanged
   * parts. Freezing happens even when the value is not kept. With a codec, `data` is encoded at once
   * (CodecEncodeError if that fails); a Uint8Array without one is kept as it is, not copied and not
   * frozen (bytes cannot be): do not write it afterwards.
   */
  set(descriptor: ObjectDescriptor, data: T, options?: SetOptions): boolean;
  /** Observers of that object see synchronized=false until its next set(). */
  desynchronize(descriptor: ObjectDescriptor): void;
  readonly terminated: boolean;
  terminate(): void;
}

/** @internal The tag-expose contract as the exchange sees it: an exposer candidate for every object of the tag. */
export class TagExposeContract<T> extends Contract<TagAssignment> implements TagExpose<T>, Exposer {
  readonly id: number;
  readonly capacity: number;
  readonly assignedEntries = new Set<ObjectEntry>();
  private readonly exposed = new Map<string, ExposedState>();
  private stream: Observable<TagAssignment> | undefined;
  readonly descriptor: TagDescriptor;
  private tag: TagEntry | undefined;

  /** @param codec checked already (see checkedCodec) */
  constructor(
    context: ContractContext,
    descriptor: TagDescriptor,
    capacity: number,
    private readonly codec: Codec<T> | undefined,
  ) {
    super(context);
    this.id = context.exchange.nextId();
    this.capacity = capacity;
    this.tag = context.exchange.addTagExposer(descriptor, this);
    this.descriptor = this.tag.descriptor;
  }

  get assigned(): readonly ObjectDescriptor[] {
    return [...this.assignedEntries].map((entry) => entry.descriptor);
  }

  get assignments$(): Observable<TagAssignment> {
    return (this.stream ??= this.observable(() => this.snapshot()));
  }

  [Symbol.asyncIterator](): AsyncIterator<TagAssignment> {
    const iterator = new KeyedIterator<string, TagAssignment>(isUnassignment, () => stop());
    for (const assignment of this.snapshot()) iterator.push(assignment.descriptor.key, assignment);
    const stop = this.follow((assignment) => iterator.push(assignment.descriptor.key, assignment), () => iterator.end());
    return iterator;
  }

  onAssignment(callback: (assignment: TagAssignment) => void): () => void {
    return this.listen("onAssignment", callback);
  }

  set(descriptor: ObjectDescriptor, data: T, options?: SetOptions): boolean {
    this.assertLive("set");
    this.assertCarriesTag(descriptor);
    const { exchange, clock, dataLimits } = this.context;
    const entry = exchange.objects.get(descriptor.key);
    if (entry === undefined) {
      acceptValue(data, options, dataLimits, this.codec); // the same checks, encoding and freezing as a value that is kept
      return false;
    }
    let exposed = this.exposed.get(entry.key);
    if (!exposed) {
      exposed = new ExposedState();
      this.exposed.set(entry.key, exposed);
    }
    return exposed.set(data, options, exchange, this, entry, clock, dataLimits, this.codec);
  }

  desynchronize(descriptor: ObjectDescriptor): void {
    this.assertLive("desynchronize");
    this.assertCarriesTag(descriptor);
    const { exchange } = this.context;
    this.exposed.get(descriptor.key)?.desynchronize(exchange, this, exchange.objects.get(descriptor.key));
  }

  get role(): "expose" {
    return "expose";
  }

  override toString(): string {
    return `expose tag ${this.descriptor}`;
  }

  /** @internal */
  electedFor(entry: ObjectEntry): void {
    this.exposed.get(entry.key)?.publishOnAssignment(this.context.exchange, this, entry, this.context.clock);
    this.emitEvent({ descriptor: entry.descriptor, assigned: true });
  }

  /** @internal */
  releasedFrom(entry: ObjectEntry): void {
    this.emitEvent({ descriptor: entry.descriptor, assigned: false });
  }

  /** @internal The object left this node's view: its value goes with it. */
  objectRemoved(entry: ObjectEntry): void {
    this.exposed.delete(entry.key);
  }

  override get exposedValueCount(): number {
    return this.exposed.size;
  }

  protected leave(): void {
    const tag = this.tag;
    this.tag = undefined;
    if (tag) this.context.exchange.removeTagExposer(tag, this);
    this.exposed.clear();
  }

  private assertCarriesTag(descriptor: ObjectDescriptor): void {
    if (!descriptor.hasTag(this.descriptor)) throw new TagMismatchError(descriptor, this.descriptor);
  }

  private *snapshot(): Iterable<TagAssignment> {
    for (const entry of this.assignedEntries) yield { descriptor: entry.descriptor, assigned: true };
  }
}

function isUnassignment(assignment: TagAssignment): boolean {
  return !assignment.assigned;
}
