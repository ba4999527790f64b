import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { networking } from "../../examples/networking.js";
import { ROUTER_USAGE } from "../../lib/router/router-options.js";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");

it("the README's networking program is exactly examples/networking.ts, and prints the output shown under it", async () => {
  const example = readFileSync(new URL("../../examples/networking.ts", import.meta.url), "utf8");
  const block = "```ts\n" + example + "```\n\nOutput:\n\n```\n";
  expect(readme).toContain(block);
  const start = readme.indexOf(block) + block.length;
  const shown = readme.slice(start, readme.indexOf("```", start)).trimEnd().split("\n");

  const lines: string[] = [];
  await networking((line) => lines.push(line));
  expect(lines).toEqual(shown);
});

it("the README's shell commands name scripts, examples and router options that exist", () => {
  for (const [, path] of readme.matchAll(/npx tsx ((?:examples|lib)\/[\w/-]+\.ts)/g)) {
    expect(() => readFileSync(new URL(`../../${path}`, import.meta.url))).not.toThrow();
  }
  const commands = readme.split("\n").filter((line) => /(hakuban-router|router-cli\.ts) --/.test(line));
  expect(commands.length).toBeGreaterThan(0);
  const known = new Set([...ROUTER_USAGE.matchAll(/^ {2}(--[\w-]+)/gm)].map(([, option]) => option));
  expect(known).toContain("--max-connections");
  for (const command of commands) {
    for (const [option] of command.matchAll(/--[\w-]+/g)) expect(known).toContain(option);
  }
});
