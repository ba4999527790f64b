import { expect, it } from "vitest";
import { quickStart } from "../../examples/quick-start.js";

it("the README quick start runs and prints what the README says", async () => {
  const lines: string[] = [];
  await quickStart((line) => lines.push(line));
  expect(lines).toEqual([
    "exposer assigned: true",
    'observer sees: {"value":1} synchronized=true',
    'observer sees: {"value":2} synchronized=true',
    'observer sees: {"value":3} synchronized=true',
    'iterator starts at: {"value":3}',
    "exposer assigned: false",
    "closed",
  ]);
});
