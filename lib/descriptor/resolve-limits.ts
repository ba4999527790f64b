import { InvalidLimitsError } from "./invalid-limits-error.js";

/**
 * Largest `maxDepth` accepted. Validation recurses once per nesting level, so this bounds stack use
 * and keeps hostile deep input from overflowing the stack whatever the configuration.
 */
export const MAX_SUPPORTED_DEPTH = 1000;

/**
 * Limits objects this module built, by the defaults they were completed from: already complete and
 * checked, so passing them on costs nothing.
 */
const resolvedFrom = new WeakMap<object, WeakSet<object>>();

/**
 * Fills `given` limits from `defaults` and checks each given one is a positive safe integer
 * (`maxDepth` also at most MAX_SUPPORTED_DEPTH). Returns `defaults` itself when nothing is given and
 * a previous result as is, so the common cases allocate nothing.
 */
export function resolveLimits<L extends object>(defaults: L, given: Partial<L> | undefined): L {
  if (given === undefined || given === defaults) return defaults;
  let resolvedSet = resolvedFrom.get(defaults);
  if (resolvedSet === undefined) resolvedFrom.set(defaults, (resolvedSet = new WeakSet()));
  else if (resolvedSet.has(given)) return given as L;
  const resolved = { ...defaults } as Record<string, unknown>;
  for (const name of Object.keys(defaults)) {
    const value = (given as Record<string, unknown>)[name];
    if (value === undefined) continue;
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1) {
      throw new InvalidLimitsError(
        `Limit ${name} must be a positive integer, got ${String(value)}; omit it to use the default ${String(resolved[name])}`,
      );
    }
    if (name === "maxDepth" && value > MAX_SUPPORTED_DEPTH) {
      throw new InvalidLimitsError(
        `Limit maxDepth must be at most ${MAX_SUPPORTED_DEPTH} (deeper values risk a stack overflow), got ${value}`,
      );
    }
    resolved[name] = value;
  }
  Object.freeze(resolved);
  resolvedSet.add(resolved);
  return resolved as L;
}
