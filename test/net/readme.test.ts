import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { networking } from "../../examples/networking.js";
import { CLI_USAGE } from "../../lib/cli/cli-options.js";
import { ROUTER_USAGE } from "../../lib/router/router-options.js";
import { expectReadmeShowsExample } from "../examples/readme-example.js";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");

it("the README's networking program is exactly examples/networking.ts, and prints the output shown under it", async () => {
  await expectReadmeShowsExample("networking", networking);
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

it("the README's hakuban commands and the options it names for them are in the client's usage", () => {
  const section = readme.slice(readme.indexOf("### The command-line client"), readme.indexOf("## Versioning"));
  const commands = section.split("\n").filter((line) => /\bhakuban (observe|expose|top) /.test(line));
  expect(commands.length).toBeGreaterThanOrEqual(4);
  const known = new Set([...CLI_USAGE.matchAll(/^ {2}(--[\w-]+)/gm)].map(([, option]) => option));
  expect(known).toContain("--token-file");
  for (const [, option] of section.matchAll(/`(--[\w-]+)/g)) expect(known).toContain(option);
  for (const command of commands) {
    for (const [option] of command.matchAll(/ (--[\w-]+)/g)) expect(known).toContain(option.trim());
  }
});
