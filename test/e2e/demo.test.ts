import { expect, it } from "vitest";
import { runDemo } from "../../examples/demo.js";

const quiet = (): void => {};

it("demo.ts runs a router and four client processes, fails over, and shuts everything down cleanly", async () => {
  const lines = await runDemo({ durationMs: 4_000, failoverAtMs: 2_000, log: quiet });
  const text = lines.join("\n");
  expect(text).toMatch(/\[router\] +.*listening on ws:\/\/127\.0\.0\.1:\d+/);
  expect(text).toMatch(/\[observer-1\] +tick \d+ by exposer-\d/);
  expect(text).toMatch(/\[observer-2\] +tick \d+ by exposer-\d/);
  const failover = text.match(/\[demo\] stopping (exposer-\d), the elected exposer/);
  expect(failover).not.toBeNull();
  const survivor = failover![1] === "exposer-1" ? "exposer-2" : "exposer-1";
  const after = lines.slice(lines.findIndex((line) => line.includes("the elected exposer")));
  expect(after.some((line) => new RegExp(`\\[observer-\\d\\] +tick \\d+ by ${survivor}$`).test(line))).toBe(true);
  for (const name of ["router", "exposer-1", "exposer-2", "observer-1", "observer-2"]) {
    expect(lines).toContain(`[demo] ${name} exited with code 0`);
  }
  expect(lines.at(-1)).toBe("[demo] done");
}, 60_000); // five processes compile TypeScript as they start: on a loaded machine that alone takes many seconds
