/**
 * The router the fan-out benchmarks measure: `router-process.ts`'s router, or, when the environment
 * variable HAKUBAN_BENCH_ROUTER_CPU_PROF names a directory, the same router under `node --cpu-prof`
 * writing its profile there when it stops (NODE_OPTIONS cannot carry --cpu-prof, so this forks the
 * router file itself with the flag).
 */
import { fileURLToPath } from "node:url";
import type { NodeStats } from "../../lib/index.js";
import { forkIpcChild } from "./ipc-child.js";
import { startRouterProcess, type RouterMemory, type RouterProcess } from "./router-process.js";

/** Starts the router, profiled when HAKUBAN_BENCH_ROUTER_CPU_PROF is set. */
export async function startBenchRouter(): Promise<RouterProcess> {
  const profileDir = process.env.HAKUBAN_BENCH_ROUTER_CPU_PROF;
  if (profileDir === undefined || profileDir === "") return startRouterProcess();
  const file = fileURLToPath(new URL("./router-process.js", import.meta.url)).replace(/\.js$/, ".ts");
  const child = await forkIpcChild(file, ["--serve"], ["--expose-gc", "--cpu-prof", `--cpu-prof-dir=${profileDir}`, "--import", "tsx"]);
  return {
    url: String(child.ready.url),
    memory: () => child.ask<RouterMemory>("memory"),
    stats: () => child.ask<NodeStats>("stats"),
    stop: () => child.stop(),
  };
}
