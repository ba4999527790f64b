import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { monitor } from "../../examples/monitor.js";

it("the README's monitoring example is exactly examples/monitor.ts, and prints the output shown under it", async () => {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const example = readFileSync(new URL("../../examples/monitor.ts", import.meta.url), "utf8");
  const block = "```ts\n" + example + "```\n\nOutput:\n\n```\n";
  expect(readme).toContain(block);
  const start = readme.indexOf(block) + block.length;
  const shown = readme.slice(start, readme.indexOf("```", start)).trimEnd().split("\n");

  const lines: string[] = [];
  await monitor((line) => lines.push(line));
  expect(lines).toEqual(shown);
});
