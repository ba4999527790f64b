import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { trust } from "../../examples/trust.js";
import { ObjectDescriptor, parsePolicyText } from "../../lib/index.js";
import { grantsFor } from "../../lib/trust/link-grants.js";
import { expectReadmeShowsExample } from "./readme-example.js";

it("the README's trust example is exactly examples/trust.ts, and prints the output shown under it", async () => {
  await expectReadmeShowsExample("trust", trust);
});

it("the README's policy file parses, and grants what the text around it says", () => {
  const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
  const section = readme.slice(readme.indexOf("### Policies"));
  const json = /```json\n([\s\S]*?)```/.exec(section)?.[1];
  expect(json).toBeDefined();
  const policy = parsePolicyText(json!);
  const user = grantsFor(policy, { id: "alice", role: "user" });
  expect(user.observe(new ObjectDescriptor([], { owner: "alice", name: "inbox" })).allowed).toBe(true);
  expect(user.observe(new ObjectDescriptor([], { owner: "bob", name: "inbox" })).allowed).toBe(false);
  expect(user.observe(new ObjectDescriptor(["public", "internal"], "news")).allowed).toBe(false);
  const sensor = grantsFor(policy, { id: "s7", role: "sensor" });
  expect(sensor.expose(new ObjectDescriptor([], { sensor: "s7", kind: "temperature" })).allowed).toBe(true);
  expect(sensor.expose(new ObjectDescriptor([], { sensor: "s8", kind: "temperature" })).allowed).toBe(false);
  expect(sensor.quota).toEqual({ objects: 10, bytesPerSecond: 65536 });
});
