import type { Observable } from "rxjs";
import type { DenialSurfaces } from "./denial-surfaces.js";
import type { ObjectDescriptor } from "../descriptor/object-descriptor.js";
import { LatestIterator } from "../events/latest-iterator.js";
import type { ObjectEntry } from "../exchange/object-entry.js";
import type { StateSink } from "../exchange/participants.js";
import type { Immutable, ObjectState } from "../state/object-state.js";
import type { Codec } from "./codec.js";
import { Contract } from "./contract.js";
import type { ContractContext } from "./contract-context.js";
import { StateDecoder } from "./state-decoder.js";

/** Options of an observe contract (object or tag). */
export interface ObserveOptions<T = never> {
  /**
   * Decodes states of the codec's format (see Codec): their data is then `T`. States of another format
   * come as they are: JSON as JSON, any other format as its raw Uint8Array (check `state.format`), and
   * so does a state the codec failed to decode (reported to `node.errors$`).
   */
  readonly codec?: Codec<T>;
}

/** Observes one object: its latest state, as a value, an RxJS stream, an async iterator or callbacks. */
export interface ObjectObserve<T> extends DenialSurfaces {
  readonly descriptor: ObjectDescriptor;
  /** The latest state, or undefined while none is known (or after terminate). */
  readonly state: ObjectState<T> | undefined;
  /**
   * Shorthand for `state?.data` (deeply readonly: JSON data is deeply frozen; bytes and values a codec
   * decoded are shared by the observers, so do not change them).
   */
  readonly data: Immutable<T> | undefined;
  /** Replays the current state, then every change; completes on terminate. */
  readonly state$: Observable<ObjectState<T> | undefined>;
  /** Yields the current state first, then newer ones (skipping those a slow consumer missed); ends on terminate. */
  [Symbol.asyncIterator](): AsyncIterator<ObjectState<T> | undefined>;
  /** Calls `callback` on every change (not for the current state); returns the unsubscribe function. */
  onChange(callback: (state: ObjectState<T> | undefined) => void): () => void;
  readonly terminated: boolean;
  /** Stops observing; every stream of this contract completes. */
  terminate(): void;
}

/** @internal The object-observe contract as the exchange sees it: a state sink. */
export class ObjectObserveContract<T> extends Contract<ObjectState<T> | undefined> implements ObjectObserve<T>, StateSink {
  readonly descriptor: ObjectDescriptor;
  private entry: ObjectEntry | undefined;
  private stream: Observable<ObjectState<T> | undefined> | undefined;
  private readonly decoder: StateDecoder | undefined;

  /** @param codec checked already (see checkedCodec) */
  constructor(context: ContractContext, descriptor: ObjectDescriptor, codec: Codec<T> | undefined) {
    super(context);
    this.decoder = codec === undefined ? undefined : new StateDecoder(codec, context.exchange);
    this.entry = context.exchange.addObjectObserver(descriptor, this);
    this.descriptor = this.entry.descriptor; // the node's interned copy; the caller's can be collected
  }

  get state(): ObjectState<T> | undefined {
    const entry = this.entry;
    if (entry === undefined) return undefined;
    return (this.decoder === undefined ? entry.state : this.decoder.decoded(entry.descriptor, entry.state)) as ObjectState<T> | undefined;
  }

  get data(): Immutable<T> | undefined {
    return this.state?.data;
  }

  get state$(): Observable<ObjectState<T> | undefined> {
    return (this.stream ??= this.observable(() => [this.state]));
  }

  [Symbol.asyncIterator](): AsyncIterator<ObjectState<T> | undefined> {
    const iterator = new LatestIterator<ObjectState<T> | undefined>(() => stop());
    iterator.push(this.state);
    const stop = this.follow((state) => iterator.push(state), () => iterator.end());
    return iterator;
  }

  onChange(callback: (state: ObjectState<T> | undefined) => void): () => void {
    return this.listen("onChange", callback);
  }

  get role(): "observe" {
    return "observe";
  }

  override toString(): string {
    return `observe ${this.descriptor}`;
  }

  /** @internal */
  stateChanged(entry: ObjectEntry): void {
    if (this.listened) this.emitEvent(this.state);
  }

  protected leave(): void {
    const entry = this.entry;
    this.entry = undefined;
    if (entry) this.context.exchange.removeObjectObserver(entry, this);
  }
}
