import { readFileSync } from "node:fs";
import { expect, it } from "vitest";

it("the README's quick start is exactly examples/quick-start.ts (which quick-start.test.ts runs)", () => {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const example = readFileSync(new URL("../../examples/quick-start.ts", import.meta.url), "utf8");
  expect(readme).toContain("```ts\n" + example + "```");
});
