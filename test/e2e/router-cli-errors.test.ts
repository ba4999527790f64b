import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { ScriptProcess } from "./helpers.js";

const processes: ScriptProcess[] = [];
function router(...args: string[]): ScriptProcess {
  const started = new ScriptProcess("lib/router/router-cli.ts", args);
  processes.push(started);
  return started;
}

afterEach(async () => {
  await Promise.all(processes.splice(0).map((each) => each.kill()));
});

const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };

// Each case runs its own router process; the processes of one test run side by side. What each bind
// failure says is checked in-process (test/transports); here, that it reaches stderr.
// Each router is a process compiling TypeScript as it starts: on a loaded machine that alone takes seconds.
describe("hakuban-router's command line", { timeout: 60_000 }, () => {
  it("prints the version (--version) and the usage (--help) on stdout and exits 0; on bad arguments prints what is wrong and the usage on stderr and exits 2", async () => {
    const versionOf = router("--version");
    const help = router("--help");
    const bad = router("--bind", "ws://127.0.0.1:0", "--log-level", "chatty");

    expect(await versionOf.exited).toBe(0);
    expect(versionOf.lines).toEqual([`hakuban-router ${version}`]);
    expect(await help.exited).toBe(0);
    expect(help.lines[0]).toMatch(/^Usage: hakuban-router --bind/);
    expect([...versionOf.stderr, ...help.stderr]).toEqual([]);

    expect(await bad.exited).toBe(2);
    expect(bad.stderr.join("\n")).toContain('--log-level must be one of error, warn, info, debug; got "chatty"');
    expect(bad.stderr.join("\n")).toContain("Usage: hakuban-router --bind");
    expect(bad.lines).toEqual([]);
  });

  it("says on stderr that the address is in use (EADDRINUSE), and exits 1", async () => {
    const first = router("--bind", "ws://127.0.0.1:0");
    const url = (await first.waitFor(/listening on ws:\/\//)).match(/listening on (ws:\/\/\S+)/)![1]!;
    const second = router("--bind", url);
    expect(await second.exited).toBe(1);
    expect(second.stderr.join("\n")).toMatch(
      /error +hakuban-router: cannot start: Could not listen on 127\.0\.0\.1:\d+: the address is already in use \(EADDRINUSE\)\. .*another router/,
    );
    expect(second.lines).toEqual([]);
  });
});
