import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

// The guarantee checked in a real process, with RxJS' default handling of what nobody handles
// (rethrown asynchronously: an uncaught exception that ends Node). See piped-subscriber-process.ts.

const script = fileURLToPath(new URL("./piped-subscriber-process.ts", import.meta.url));

function run(mode: "ours" | "foreign"): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ["--import", "tsx", script, mode], (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : null, stdout, stderr });
    });
  });
}

it.concurrent("exceptions from subscribers of .pipe() chains on a node's observables leave the process running", async () => {
  const { code, stdout } = await run("ours");
  expect(stdout.trim().split("\n")).toEqual([
    "reported: piped subscriber 1",
    "reported: operator callback",
    "reported: piped subscriber 2",
    "still alive",
  ]);
  expect(code).toBe(0);
});

it.concurrent("a chain whose outer observable is foreign (combineLatest) follows RxJS: its subscriber's exception ends the process", async () => {
  const { code, stdout, stderr } = await run("foreign");
  expect(stderr).toContain("subscriber of a foreign chain");
  expect(stdout).not.toContain("still alive");
  expect(code).not.toBe(0);
});
