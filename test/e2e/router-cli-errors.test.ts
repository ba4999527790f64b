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

describe("hakuban-router failures", () => {
  it("prints the usage and exits 2 on bad arguments", async () => {
    const bad = router("--bind", "ws://127.0.0.1:0", "--log-level", "chatty");
    expect(await bad.exited).toBe(2);
    const stderr = bad.stderr.join("\n");
    expect(stderr).toContain('--log-level must be one of error, warn, info, debug; got "chatty"');
    expect(stderr).toContain("Usage: hakuban-router --bind");
    expect(bad.lines).toEqual([]);
  });

  it("exits 1 with a log line when it cannot bind", async () => {
    const first = router("--bind", "ws://127.0.0.1:0");
    const url = (await first.waitFor(/listening on ws:\/\//)).match(/listening on (ws:\/\/\S+)/)![1]!;
    const second = router("--bind", url);
    expect(await second.exited).toBe(1);
    expect(second.lines.join("\n")).toMatch(/error +hakuban-router: cannot start: .*/);
  });
});
