import type { ObjectDescriptor } from "../descriptor/object-descriptor.js";
import type { JsonValue } from "../descriptor/json-value.js";
import type { TagDescriptor } from "../descriptor/tag-descriptor.js";
import { InvalidCapacityError } from "./invalid-capacity-error.js";
import type { ContractContext, NodeContract } from "./contract-context.js";
import type { JsonCompatible } from "./json-compatible.js";
import { ObjectExposeContract, type ExposeOptions, type ObjectExpose } from "./object-expose.js";
import { ObjectObserveContract, type ObjectObserve } from "./object-observe.js";
import { TagExposeContract, type TagExpose } from "./tag-expose.js";
import { TagObserveContract, type TagObserve } from "./tag-observe.js";

/** How a builder hands a new contract to its node (which owns it until it terminates). */
export type Adopt = <C extends NodeContract>(create: (context: ContractContext) => C) => C;

function capacityOf(options: ExposeOptions | undefined): number {
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
   * Observes the object; its exposer is elected while at least one observer exists. `T` is the data's
   * type, JSON only (see JsonCompatible; default JsonValue); states hand it out deeply readonly.
   */
  observe<T extends JsonCompatible<T> = JsonValue>(): ObjectObserve<T> {
    return this.adopt((context) => new ObjectObserveContract<T>(context, this.descriptor));
  }

  /** Offers to expose the object. `T` is the data's type, JSON only (see JsonCompatible; default JsonValue). */
  expose<T extends JsonCompatible<T> = JsonValue>(options: ExposeOptions = {}): ObjectExpose<T> {
    const capacity = capacityOf(options);
    return this.adopt((context) => new ObjectExposeContract<T>(context, this.descriptor, capacity));
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
   * Observes every object carrying the tag. `T` is the data's type, JSON only (see JsonCompatible;
   * default JsonValue); states hand it out deeply readonly.
   */
  observe<T extends JsonCompatible<T> = JsonValue>(): TagObserve<T> {
    return this.adopt((context) => new TagObserveContract<T>(context, this.descriptor));
  }

  /** Offers to expose every object carrying the tag. `T` is the data's type, JSON only (see JsonCompatible; default JsonValue). */
  expose<T extends JsonCompatible<T> = JsonValue>(options: ExposeOptions = {}): TagExpose<T> {
    const capacity = capacityOf(options);
    return this.adopt((context) => new TagExposeContract<T>(context, this.descriptor, capacity));
  }
}
