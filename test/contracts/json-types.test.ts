import { afterAll, describe, expect, it } from "vitest";
import {
  InvalidJsonError,
  LocalNode,
  ObjectDescriptor,
  TagDescriptor,
  type Immutable,
  type JsonCompatible,
  type JsonValue,
  type ObjectState,
} from "../../lib/index.js";

// The type cases below are checked by `tsc --noEmit` (npm test runs it first): each `@ts-expect-error`
// must meet an error, and every line without one must compile. The runtime cases tie them to behaviour.

/** Plain JSON shapes, as users write them. */
interface Reading {
  celsius: number;
  unit?: "C" | "F"; // optional: left out when it has no value
  history: number[];
  tags: readonly string[];
  position: [number, number];
  meta: { source: string; at: string | null };
}
type Row = { id: number; cells: readonly (string | number | boolean | null)[] };
type Shape = { kind: "circle"; r: number } | { kind: "square"; side: number };

class WithMethod {
  value = 1;
  double(): number {
    return this.value * 2;
  }
}

const node = new LocalNode();
afterAll(() => node.close());
const object = node.object(["types"], "x");
const tag = node.tag("types");

// ---- accepted --------------------------------------------------------------------------------------
object.expose<Reading>();
object.observe<Reading>();
tag.expose<Row>();
tag.observe<Row>();
object.expose<Shape[]>();
object.expose<JsonValue>();
object.expose<string>();
object.expose<number | null>();
object.expose<readonly Row[]>();
object.expose<Record<string, number>>();
object.expose<{ nested: { deeper: { deepest: JsonValue[] } } }>();

// The default type is JsonValue.
const untyped = object.expose();
untyped.set({ any: ["json", 1, null, { at: "all" }] });

// A generic helper of the user's passes its own constraint on.
function exposeOf<T extends JsonCompatible<T>>(name: string): (data: T) => boolean {
  const exposer = node.object(["types"], name).expose<T>();
  return (data) => exposer.set(data);
}
exposeOf<Reading>("helper");

// ---- rejected --------------------------------------------------------------------------------------
// @ts-expect-error a Date is not JSON
object.expose<{ when: Date }>();
// @ts-expect-error a Date is not JSON
object.observe<Date>();
// @ts-expect-error a Map is not JSON
tag.expose<{ index: Map<string, number> }>();
// @ts-expect-error a Set is not JSON
tag.observe<{ members: Set<string> }>();
// @ts-expect-error a bigint is not JSON
object.expose<{ big: bigint }>();
// @ts-expect-error a bigint is not JSON
object.expose<bigint>();
// @ts-expect-error a function is not JSON
object.expose<{ callback: () => void }>();
// @ts-expect-error a function is not JSON
object.observe<() => void>();
// @ts-expect-error undefined is not JSON (a required property that may be undefined)
object.expose<{ maybe: number | undefined }>();
// @ts-expect-error undefined is not JSON
object.expose<string | undefined>();
// @ts-expect-error a symbol is not JSON
object.expose<{ id: symbol }>();
// @ts-expect-error a class instance with methods is not JSON
object.expose<WithMethod>();
// @ts-expect-error nested deep in arrays and objects too
tag.expose<{ rows: { cells: Date[] }[] }>();
// @ts-expect-error unknown proves nothing; the default (JsonValue) is any JSON
object.observe<unknown>();

// ---- what observers get is deeply readonly; set() takes the caller's mutable objects ------------------
const readings = node.object(["readings"], "r"); // no other exposer of it, so this one is elected
const exposer = readings.expose<Reading>();
const observer = readings.observe<Reading>();
const mine: Reading = { celsius: 20, history: [1, 2], tags: ["a"], position: [0, 0], meta: { source: "s", at: null } };
exposer.set(mine);

/** Each write the types refuse; at run time each throws (the data is frozen, modules are strict). */
function writes(state: ObjectState<Reading>, data: Immutable<Reading>): Array<() => void> {
  const celsius: number = state.data.celsius; // reading is fine
  return [
    // @ts-expect-error data is readonly
    () => (state.data.celsius = celsius + 1),
    // @ts-expect-error nested objects are readonly
    () => (state.data.meta.source = "other"),
    // @ts-expect-error arrays are readonly
    () => state.data.history.push(3),
    // @ts-expect-error tuples are readonly
    () => (state.data.position[0] = 1),
    // @ts-expect-error the `data` shorthand is readonly as well
    () => (data.meta.at = "now"),
  ];
}
tag.observe<Reading>().onChange((change) => {
  // @ts-expect-error through a tag too
  if (change.state) change.state.data.history.length = 0;
});

// ---- descriptors' json is typed as the JSON value it is ---------------------------------------------
const descriptorJson: JsonValue = new ObjectDescriptor(["t"], { id: 1 }).json;
const tagJson: JsonValue = new TagDescriptor({ room: "lobby" }).json;
// @ts-expect-error JsonValue, not any: narrow it before use
const notAny: number = new ObjectDescriptor(["t"], 1).json;

describe("JSON data types", () => {
  it("the data the types accept is taken and frozen; what they refuse, set() refuses at run time too", () => {
    expect([descriptorJson, tagJson, notAny]).toEqual([{ id: 1 }, { room: "lobby" }, 1]);
    expect(observer.data).toEqual(mine);
    expect(observer.data).toBe(mine); // the caller's object itself, frozen, shared with no copy
    expect(Object.isFrozen(mine.meta) && Object.isFrozen(mine.history)).toBe(true);
    for (const write of writes(observer.state!, observer.data!)) expect(write).toThrow(TypeError);
    // @ts-expect-error the default is JsonValue, not any
    expect(() => untyped.set(new Date())).toThrow(InvalidJsonError);
    expect(() => exposer.set({ ...mine, unit: undefined })).toThrow(InvalidJsonError); // leave it out instead
  });
});
