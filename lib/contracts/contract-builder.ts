import type { ObjectDescriptor } from "../descriptor/object-descriptor.js";
import type { JsonValue } from "../descriptor/json-value.js";
import type { TagDescriptor } from "../descriptor/tag-descriptor.js";
import { InvalidCapacityError } from "./invalid-capacity-error.js";
import { adoptedCodec, checkedCodec, type Codec } from "./codec.js";
import type { ContractContext, NodeContract } from "./contract-context.js";
import type { JsonCompatible } from "./json-compatible.js";
import { ObjectExposeContract, type ExposeOptions, type ObjectExpose } from "./object-expose.js";
import { ObjectObserveContract, type ObjectObserve, type ObserveOptions } from "./object-observe.js";
import { TagExposeContract, type TagExpose } from "./tag-expose.js";
import { TagObserveContract, type TagObserve } from "./tag-observe.js";

/** How a builder hands a new contract to its node (which owns it until it terminates). */
export type Adopt = <C extends NodeContract>(create: (context: ContractContext) => C) => C;

/**
 * The options of a contract with a codec: its data type `T` is whatever the codec encodes, JSON or not.
 * Without a codec, `T` is JSON (see JsonCompatible) or Uint8Array.
 */
export type WithCodec<O, T> = O & { readonly codec: Codec<T> };

function capacityOf(options: ExposeOptions<unknown> | undefined): number {
  const capacity = options?.capacity ?? 1;
  if (typeof capacity !== "number" || !Number.isFinite(capacity) || capacity <= 0) throw new InvalidCapacityError(capacity);
  return capacity;
}

/** Makes contracts for one object: `node.object(tags, json).observe()` / `.expose()`. */
export class ObjectContractBuilder {
  /** @internal Builders are made by `node.object()` and `node.tag()`. */
  constructor(
    readonly descriptor: ObjectDescriptor,
    private readonly adopt: Adopt,
  ) {}

  /**
   * Observes the object; its exposer is elected while at least one observer exists. With a codec, `T` is
   * what the codec decodes (states of its format carry it; see ObserveOptions). Without one, `T` is the
   * data's type, JSON (see JsonCompatible; default JsonValue) or Uint8Array; states hand it out deeply
   * readonly. Throws InvalidCodecError for a codec that is not one.
   */
  observe<T>(options: WithCodec<ObserveOptions<T>, T>): ObjectObserve<T>;
  observe<T extends JsonCompatible<T> | Uint8Array = JsonValue>(options?: ObserveOptions): ObjectObserve<T>;
  observe(options: ObserveOptions<unknown> = {}): ObjectObserve<unknown> {
    const codec = checkedCodec(options.codec);
    return this.adopt((context) => new ObjectObserveContract<unknown>(context, this.descriptor, adoptedCodec(codec, context.exchange)));
  }

  /**
   * Offers to expose the object. With a codec, `T` is what the codec encodes; without one, the data's
   * type, JSON (see JsonCompatible) or Uint8Array (default: either). Throws InvalidCapacityError or
   * InvalidCodecError.
   */
  expose<T>(options: WithCodec<ExposeOptions<T>, T>): ObjectExpose<T>;
  expose<T extends JsonCompatible<T> | Uint8Array = JsonValue | Uint8Array>(options?: ExposeOptions): ObjectExpose<T>;
  expose(options: ExposeOptions<unknown> = {}): ObjectExpose<unknown> {
    const capacity = capacityOf(options);
    const codec = checkedCodec(options.codec);
    return this.adopt((context) => new ObjectExposeContract<unknown>(context, this.descriptor, capacity, adoptedCodec(codec, context.exchange)));
  }
}

/** Makes contracts for a tag: `node.tag(json).observe()` / `.expose()`. */
export class TagContractBuilder {
  /** @internal Builders are made by `node.object()` and `node.tag()`. */
  constructor(
    readonly descriptor: TagDescriptor,
    private readonly adopt: Adopt,
  ) {}

  /**
   * Observes every object carrying the tag. With a codec, `T` is what the codec decodes (states of its
   * format carry it; see ObserveOptions). Without one, `T` is the data's type, JSON (see JsonCompatible;
   * default JsonValue) or Uint8Array; states hand it out deeply readonly. Throws InvalidCodecError.
   */
  observe<T>(options: WithCodec<ObserveOptions<T>, T>): TagObserve<T>;
  observe<T extends JsonCompatible<T> | Uint8Array = JsonValue>(options?: ObserveOptions): TagObserve<T>;
  observe(options: ObserveOptions<unknown> = {}): TagObserve<unknown> {
    const codec = checkedCodec(options.codec);
    return this.adopt((context) => new TagObserveContract<unknown>(context, this.descriptor, adoptedCodec(codec, context.exchange)));
  }

  /**
   * Offers to expose every object carrying the tag. With a codec, `T` is what the codec encodes; without
   * one, the data's type, JSON (see JsonCompatible) or Uint8Array (default: either). Throws
   * InvalidCapacityError or InvalidCodecError.
   */
  expose<T>(options: WithCodec<ExposeOptions<T>, T>): TagExpose<T>;
  expose<T extends JsonCompatible<T> | Uint8Array = JsonValue | Uint8Array>(options?: ExposeOptions): TagExpose<T>;
  expose(options: ExposeOptions<unknown> = {}): TagExpose<unknown> {
    const capacity = capacityOf(options);
    const codec = checkedCodec(options.codec);
    return this.adopt((context) => new TagExposeContract<unknown>(context, this.descriptor, capacity, adoptedCodec(codec, context.exchange)));
  }
}
