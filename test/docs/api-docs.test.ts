import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const apiDocs = fileURLToPath(new URL("../../docs/typedoc/api-docs.js", import.meta.url));

it("TypeDoc builds the API reference of the public entry without a warning (`npm run docs`)", async () => {
  const outcome = await new Promise<{ code: number | null; output: string }>((resolve) => {
    execFile(process.execPath, [apiDocs, "--emit", "none"], (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : null, output: stdout + stderr });
    });
  });
  expect(outcome.output).toBe("");
  expect(outcome.code).toBe(0);
}, 60_000);
