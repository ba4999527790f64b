/**
 * A listener judges its children by what they sent, not by its own lateness in reading it: its event
 * loop blocked for longer than deadAfterMs while a child in another process kept pinging, it keeps the
 * child linked once it reads the pings that waited.
 */
import { stat } from "node:fs";
import { afterEach, expect, it } from "vitest";
import { LocalNode, TapRing, listen } from "../../lib/node-entry.js";
import { ScriptProcess } from "./helpers.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Resolves once `condition` holds, looking after each macrotask. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise<void>((resolve) => setTimeout(resolve, 5));
}

it("a listener blocked for three times deadAfterMs keeps a child that kept pinging", async () => {
  const tap = new TapRing(4096);
  const lines: string[] = [];
  const router = new LocalNode({ name: "router" });
  cleanups.push(() => router.close());
  const listener = await listen(router, { port: 0, keepAliveMs: 100, deadAfterMs: 300, helloTimeoutMs: 10_000, tap, log: (line, severity) => lines.push(`${severity} ${line}`) });
  // The child pings every 100 ms and would wait a minute before giving up on a silent parent.
  const child = new ScriptProcess("test/e2e/linked-child.ts", [listener.url, JSON.stringify({ keepAliveMs: 100, deadAfterMs: 60_000 })]);
  cleanups.push(() => child.kill());
  expect(await child.waitFor(/^status (connected|closed)$/)).toBe("status connected");
  const pingsAfter = (time: number) => tap.entries().filter((entry) => entry.time >= time && entry.kind === "recv" && entry.label === "Ping").length;
  await until(() => pingsAfter(0) >= 2);

  // The listener's process is blocked for 1 s in an I/O callback, as by a costly message: the child's
  // pings wait unread, and the keep-alive's timers come due before the loop reads input again.
  const blockedUntil = await new Promise<number>((resolve) =>
    stat(".", () => {
      const until = Date.now() + 1_000;
      while (Date.now() < until) {
        // busy: no timer, no input runs
      }
      resolve(until);
    }),
  );
  // Pings read 400 ms after the stall and later: more than deadAfterMs of keep-alive ticks passed since.
  await until(() => pingsAfter(blockedUntil + 400) >= 2 || listener.links === 0);

  expect(listener.links).toBe(1);
  expect(lines.filter((line) => line.includes("disconnected"))).toEqual([]);
  expect(child.lines).toEqual(["status connecting", "status connected"]);
});
