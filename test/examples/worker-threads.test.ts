/**
 * examples/worker-threads.ts, built as its first lines say and run with node: a worker's node linked to
 * the main thread's by a message port prints what the README shows, and the README shows the file.
 */
import { build } from "esbuild";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { readmeExample } from "./readme-example.js";

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

it("the README's worker_threads program is exactly examples/worker-threads.ts, and prints the output shown under it", async () => {
  const { source, shown } = readmeExample("worker-threads");

  // The command of the example's first lines, into test-results/ (where node_modules resolves).
  const command = /npx esbuild (\S+) --bundle --platform=node --format=esm --packages=external --outfile=(\S+) && node \2/.exec(source);
  expect(command?.[1]).toBe("examples/worker-threads.ts");
  const outfile = here("../../test-results/examples/worker-threads.mjs");
  await build({ entryPoints: [here("../../examples/worker-threads.ts")], bundle: true, platform: "node", format: "esm", packages: "external", outfile, logLevel: "silent" });
  const output = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, [outfile], { timeout: 15_000 }, (error, stdout) => (error === null ? resolve(stdout) : reject(error))),
  );
  expect(output.trimEnd().split("\n")).toEqual(shown);
});
