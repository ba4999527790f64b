import { readFileSync } from "node:fs";
import { expect } from "vitest";

/** An example's function: runs it, passing each line it prints to `log`. */
export type Example = (log: (line: string) => void) => Promise<unknown>;

/**
 * Checks that the README shows `examples/<name>.ts` verbatim in a ```ts block followed by "Output:";
 * returns the example's source and the lines shown as its output.
 */
export function readmeExample(name: string): { source: string; shown: string[] } {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const source = readFileSync(new URL(`../../examples/${name}.ts`, import.meta.url), "utf8");
  const block = "```ts\n" + source + "```\n\nOutput:\n\n```\n";
  expect(readme).toContain(block);
  const start = readme.indexOf(block) + block.length;
  return { source, shown: readme.slice(start, readme.indexOf("```", start)).trimEnd().split("\n") };
}

/** Checks that the README shows `examples/<name>.ts` as readmeExample does, and that running `example` prints exactly the lines shown. */
export async function expectReadmeShowsExample(name: string, example: Example): Promise<void> {
  const { shown } = readmeExample(name);
  const lines: string[] = [];
  await example((line) => lines.push(line));
  expect(lines).toEqual(shown);
}
