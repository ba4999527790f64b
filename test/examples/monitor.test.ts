import { it } from "vitest";
import { monitor } from "../../examples/monitor.js";
import { expectReadmeShowsExample } from "./readme-example.js";

it("the README's monitoring example is exactly examples/monitor.ts, and prints the output shown under it", async () => {
  await expectReadmeShowsExample("monitor", monitor);
});
