import { afterAll, beforeAll, expect } from "vitest";

/**
 * Collects the promise rejections nobody handled while a test file runs, so a test can assert that
 * its case left none (vitest would report them after the file, without the case that caused them).
 * Call at the top level of a test file; at the end of the file the list must be empty.
 */
export function collectUnhandledRejections(): readonly unknown[] {
  const rejections: unknown[] = [];
  const record = (reason: unknown) => rejections.push(reason);
  beforeAll(() => {
    process.on("unhandledRejection", record);
  });
  afterAll(async () => {
    await new Promise((resolve) => setTimeout(resolve, 0)); // reported once the microtask queue drained
    process.off("unhandledRejection", record);
    expect(rejections).toEqual([]);
  });
  return rejections;
}
