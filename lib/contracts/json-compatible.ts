import type { JsonValue } from "../descriptor/json-value.js";

/**
 * `T` where it is JSON, and `NotJson<why>` in place of every part that is not: the constraint of
 * `expose<T>()` and `observe<T>()` (`T extends JsonCompatible<T>`), so they accept exactly the data types
 * that are JSON all the way down, and the compiler's message names the part that is not.
 *
 * Accepted: `null`, booleans, numbers, strings, arrays and tuples of JSON (readonly or not), and object
 * types of JSON properties, interfaces without index signatures included. **Optional properties are
 * accepted**, because leaving a property out is how JSON says "no value": leave it out (`set()` refuses
 * a property that is present with the value `undefined`).
 *
 * Rejected: `undefined` (also in the union of a required property), `bigint`, `symbol`, functions,
 * objects with methods (`Date`, `Map`, `Set`, class instances), and `unknown`, which proves nothing (use
 * the default, `JsonValue`, for data of any JSON shape). A class instance without methods passes this
 * check, but `set()` refuses it at run time: data is plain objects and arrays.
 */
export type JsonCompatible<T> = (string | number | boolean | null | (object & NotAFunction)) & JsonFields<T>;

/** Stands where `JsonCompatible` found something that is not JSON; `Reason` says what it was. No value has this type. */
export interface NotJson<Reason extends string> {
  readonly "not JSON": Reason;
}

/** Every object type but a function's (whose apparent type has `Symbol.hasInstance`; no JSON shape names a symbol key). */
interface NotAFunction {
  readonly [Symbol.hasInstance]?: never;
}

/** `T`'s properties (or elements) checked; a primitive `T` maps to itself. */
type JsonFields<T> = { [K in keyof T]: JsonField<T[K]> };

/** One property's or element's value checked: itself when it is JSON, else `NotJson<why>`. */
type JsonField<V> = [V] extends [JsonValue]
  ? V // JSON already (and the way JsonValue itself ends the recursion)
  : V extends string | number | boolean | null
    ? V
    : V extends undefined
      ? NotJson<"undefined: make the property optional and leave it out">
      : V extends (...args: never) => unknown
        ? NotJson<"a function">
        : V extends readonly unknown[]
          ? JsonFields<V>
          : V extends object
            ? MethodOf<V> extends never
              ? JsonFields<V>
              : NotJson<"an object with methods (Date, Map, Set, a class instance): use plain objects and arrays">
            : NotJson<"a bigint, a symbol or unknown: use a number, a string or JsonValue">;

/** The keys of `T`'s function-valued properties: never for plain data. */
type MethodOf<T> = { [K in keyof T]-?: T[K] extends (...args: never) => unknown ? K : never }[keyof T];
