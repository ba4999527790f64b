import { vi } from "vitest";

/**
 * Runs `run` and returns the sizes of the byte arrays it allocated with `new Uint8Array(length)` (the
 * global constructor is swapped for a recording proxy meanwhile), with what it returned or threw.
 */
export function allocations<T>(run: () => T): { sizes: number[]; result?: T; error?: unknown } {
  const sizes: number[] = [];
  vi.stubGlobal(
    "Uint8Array",
    new Proxy(Uint8Array, {
      construct(target, args: unknown[], newTarget) {
        if (typeof args[0] === "number") sizes.push(args[0]);
        return Reflect.construct(target, args, newTarget) as object;
      },
    }),
  );
  try {
    return { sizes, result: run() };
  } catch (error) {
    return { sizes, error };
  } finally {
    vi.unstubAllGlobals();
  }
}
