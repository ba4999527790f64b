/**
 * Node flags that make a benchmark process write a profile when it exits, so a scenario can be rerun
 * under a profiler without changing it: `HAKUBAN_BENCH_PROFILE=cpu` (or `heap`) profiles the processes
 * whose role is listed in `HAKUBAN_BENCH_PROFILE_ROLES` (comma-separated; default `router`), writing
 * `.cpuprofile` / `.heapprofile` files into `bench/results/profiles/`.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The kinds of benchmark process that can be profiled. */
export type ProfiledRole = "router" | "client";

/** The profiler flags for a process of `role` (none unless the environment asks for them). */
export function profileFlags(role: ProfiledRole): string[] {
  const kind = process.env.HAKUBAN_BENCH_PROFILE;
  if (kind !== "cpu" && kind !== "heap") return [];
  const roles = (process.env.HAKUBAN_BENCH_PROFILE_ROLES ?? "router").split(",").map((r) => r.trim());
  if (!roles.includes(role)) return [];
  const dir = join(dirname(fileURLToPath(import.meta.url)), "..", "results", "profiles");
  return kind === "cpu" ? ["--cpu-prof", `--cpu-prof-dir=${dir}`] : ["--heap-prof", `--heap-prof-dir=${dir}`];
}
