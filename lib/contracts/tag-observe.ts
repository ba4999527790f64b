import type { Observable } from "rxjs";
import type { DenialSurfaces } from "./denial-surfaces.js";
import type { ObjectDescriptor } from "../descriptor/object-descriptor.js";
import type { TagDescriptor } from "../descriptor/tag-descriptor.js";
import { KeyedIterator } from "../events/keyed-iterator.js";
import type { ObjectEntry } from "../exchange/object-entry.js";
import type { TagSink } from "../exchange/participants.js";
import type { TagEntry } from "../exchange/tag-entry.js";
import type { ObjectState } from "../state/object-state.js";
import type { Codec } from "./codec.js";
import { Contract } from "./contract.js";
import type { ContractContext } from "./contract-context.js";
import { StateDecoder } from "./state-decoder.js";

/**
 * A change of one object under an observed tag. `state` is the object's new state, or undefined when
 * the object is gone. Objects that exist but have no state yet produce no change until they get one.
 */
export interface TagChange<T> {
  readonly descriptor: ObjectDescriptor;
  readonly state: ObjectState<T> | undefined;
}

/** One object seen through a tag. */
export interface TagObject<T> {
  readonly descriptor: ObjectDescriptor;
  readonly state: ObjectState<T> | undefined;
}

/** Observes every object carrying a tag, including objects nobody knew in advance. */
export interface TagObserve<T> extends DenialSurfaces {
  readonly descriptor: TagDescriptor;
  /** Every existing object carrying the tag, by descriptor key (a snapshot taken at each read). */
  readonly objects: ReadonlyMap<string, TagObject<T>>;
  /** One change per existing object with a state first, then live changes; completes on terminate. */
  readonly changes$: Observable<TagChange<T>>;
  /** Same order; a slow consumer gets the latest change per object, and never loses a removal. */
  [Symbol.asyncIterator](): AsyncIterator<TagChange<T>>;
  /** Calls `callback` on every live change; returns the unsubscribe function. */
  onChange(callback: (change: TagChange<T>) => void): () => void;
  readonly terminated: boolean;
  terminate(): void;
}

/** @internal The tag-observe contract as the exchange sees it: a tag sink. */
export class TagObserveContract<T> extends Contract<TagChange<T>> implements TagObserve<T>, TagSink {
  readonly descriptor: TagDescriptor;
  private tag: TagEntry | undefined;
  private stream: Observable<TagChange<T>> | undefined;
  private readonly decoder: StateDecoder | undefined;

  /** @param codec checked already (see checkedCodec) */
  constructor(context: ContractContext, descriptor: TagDescriptor, codec: Codec<T> | undefined) {
    super(context);
    this.decoder = codec === undefined ? undefined : new StateDecoder(codec, context.exchange);
    this.tag = context.exchange.addTagObserver(descriptor, this);
    this.descriptor = this.tag.descriptor;
  }

  get objects(): ReadonlyMap<string, TagObject<T>> {
    const objects = new Map<string, TagObject<T>>();
    if (this.tag) {
      for (const entry of this.tag.objects) {
        objects.set(entry.key, { descriptor: entry.descriptor, state: this.stateOf(entry) });
      }
    }
    return objects;
  }

  get changes$(): Observable<TagChange<T>> {
    return (this.stream ??= this.observable(() => this.snapshot()));
  }

  [Symbol.asyncIterator](): AsyncIterator<TagChange<T>> {
    const iterator = new KeyedIterator<string, TagChange<T>>(isRemoval, () => stop());
    for (const change of this.snapshot()) iterator.push(change.descriptor.key, change);
    const stop = this.follow((change) => iterator.push(change.descriptor.key, change), () => iterator.end());
    return iterator;
  }

  onChange(callback: (change: TagChange<T>) => void): () => void {
    return this.listen("onChange", callback);
  }

  get role(): "observe" {
    return "observe";
  }

  override toString(): string {
    return `observe tag ${this.descriptor}`;
  }

  /** @internal */
  objectAdded(entry: ObjectEntry): void {
    if (entry.state !== undefined) this.stateChanged(entry);
  }

  /** @internal */
  stateChanged(entry: ObjectEntry): void {
    if (this.listened) this.emitEvent({ descriptor: entry.descriptor, state: this.stateOf(entry) });
  }

  /** @internal */
  objectRemoved(entry: ObjectEntry): void {
    // Only objects this observer could have seen (they had a state) are reported gone.
    if (entry.state !== undefined) this.emitEvent({ descriptor: entry.descriptor, state: undefined });
  }

  protected leave(): void {
    const tag = this.tag;
    this.tag = undefined;
    if (tag) this.context.exchange.removeTagObserver(tag, this);
  }

  private *snapshot(): Iterable<TagChange<T>> {
    if (!this.tag) return;
    for (const entry of this.tag.objects) {
      if (entry.state !== undefined) yield { descriptor: entry.descriptor, state: this.stateOf(entry) };
    }
  }

  /** The entry's state as this contract hands it out (decoded by its codec, if it has one). */
  private stateOf(entry: ObjectEntry): ObjectState<T> | undefined {
    const decoder = this.decoder;
    return (decoder === undefined ? entry.state : decoder.decoded(entry.descriptor, entry.state)) as ObjectState<T> | undefined;
  }
}

function isRemoval<T>(change: TagChange<T>): boolean {
  return change.state === undefined;
}
