import { InvalidJsonError } from "./invalid-json-error.js";
import type { JsonLimits } from "./json-value.js";

/**
 * A validation failure on its way up to the root of a JSON walk: each enclosing level adds its segment
 * and container (deepest first, see `within`), so walks pay nothing for paths until something is wrong,
 * and the final InvalidJsonError still names the exact place.
 */
export class JsonFault {
  readonly segments: (string | number)[] = [];
  readonly containers: object[] = [];

  /** `tooDeep` is the container that passed maxDepth, used to tell a cycle from honest deep nesting. */
  constructor(
    readonly problem: string,
    readonly tooDeep?: object,
  ) {}

  /** The InvalidJsonError for this fault, with paths rooted at `rootPath`. */
  toError(rootPath: string): InvalidJsonError {
    const segments = this.segments.reverse();
    if (this.tooDeep !== undefined) {
      const chain = this.containers.reverse();
      chain.push(this.tooDeep);
      for (let j = 1; j < chain.length; j++) {
        const i = chain.indexOf(chain[j]!);
        if (i < j) {
          return new InvalidJsonError(
            formatPath(rootPath, segments, j),
            `a cycle: this is the same object as ${formatPath(rootPath, segments, i)} (JSON cannot represent cycles)`,
          );
        }
      }
    }
    return new InvalidJsonError(formatPath(rootPath, segments, segments.length), this.problem);
  }
}

/** Adds the step from `container` through `segment` to a fault unwinding towards the root; other errors pass. */
export function within(error: unknown, segment: string | number, container: object): unknown {
  if (error instanceof JsonFault) {
    error.segments.push(segment);
    error.containers.push(container);
  }
  return error;
}

/** Converts a fault that escaped a walk into its InvalidJsonError; other errors pass unchanged. */
export function settle(error: unknown, rootPath: string): unknown {
  return error instanceof JsonFault ? error.toError(rootPath) : error;
}

/** The fault for a value whose type JSON lacks (undefined, function, symbol, BigInt) or a non-finite number. */
export function notJson(value: unknown): JsonFault {
  switch (typeof value) {
    case "undefined":
      return new JsonFault("undefined is not a JSON value (use null)");
    case "bigint":
      return new JsonFault("a BigInt is not a JSON value (convert it to a number or a string)");
    case "number":
      return new JsonFault(`${value} is not a JSON value (JSON numbers are finite; use null or a string)`);
    default:
      return new JsonFault(`a ${typeof value} is not a JSON value (remove it or replace it with data)`);
  }
}

/** The fault for an object that is neither a plain array nor a plain (or null-prototype) object. */
export function notPlain(prototype: object): JsonFault {
  const constructor: unknown = Object.hasOwn(prototype, "constructor")
    ? (prototype as { constructor?: unknown }).constructor
    : undefined;
  const name = typeof constructor === "function" ? constructor.name : "";
  const what = name === "" ? "an object with a custom prototype" : `a ${name}`;
  return new JsonFault(`${what} is not a JSON value (only arrays and plain objects are; convert it, e.g. to a string)`);
}

/** The fault for a missing element of a sparse array. */
export function hole(): JsonFault {
  return new JsonFault("a hole in a sparse array is not a JSON value (fill it, e.g. with null)");
}

/** The fault for an object with symbol-keyed properties. */
export function symbolKey(symbol: symbol): JsonFault {
  return new JsonFault(`the symbol key ${String(symbol)} is not allowed in JSON (use a string key)`);
}

/** The fault for a container nested deeper than maxDepth (or, as toError finds out, part of a cycle). */
export function tooDeep(limits: JsonLimits, container: object): JsonFault {
  return new JsonFault(`nests deeper than ${limits.maxDepth} levels (limit maxDepth)`, container);
}

/** The fault for the value that made the canonical text exceed maxLength. */
export function tooLong(limits: JsonLimits): JsonFault {
  return new JsonFault(`makes the canonical JSON text longer than ${limits.maxLength} characters (limit maxLength)`);
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function formatPath(rootPath: string, segments: readonly (string | number)[], count: number): string {
  let path = rootPath;
  for (let i = 0; i < count; i++) {
    const segment = segments[i]!;
    if (typeof segment === "number") path += `[${segment}]`;
    else path += IDENTIFIER.test(segment) ? `.${segment}` : `[${JSON.stringify(segment)}]`;
  }
  return path;
}
