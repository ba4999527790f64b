import { describe, expect, it } from "vitest";
import { parseRouterArgs, ROUTER_USAGE } from "../../lib/router/router-options.js";
import { RouterOptionsError } from "../../lib/router/router-options-error.js";

const bind = ["--bind", "ws://127.0.0.1:3001"];

function refusal(args: readonly string[]): string {
  try {
    parseRouterArgs([...bind, ...args]);
  } catch (error) {
    expect(error).toBeInstanceOf(RouterOptionsError);
    return (error as RouterOptionsError).message;
  }
  throw new Error(`parseRouterArgs accepted ${args.join(" ")}`);
}

describe("the router's monitor options", () => {
  it("reads --monitor-tag as JSON when it parses, else as a string", () => {
    expect(parseRouterArgs([...bind, "--monitor-tag", '{"monitor":"eu","level":1}'])).toMatchObject({
      options: { monitorTag: { monitor: "eu", level: 1 } },
    });
    expect(parseRouterArgs([...bind, "--monitor-tag=monitor"])).toMatchObject({ options: { monitorTag: "monitor" } });
    expect(parseRouterArgs([...bind, "--monitor-tag", "42"])).toMatchObject({ options: { monitorTag: 42 } });
    expect(parseRouterArgs([...bind, "--monitor-tag", '"42"'])).toMatchObject({ options: { monitorTag: "42" } });
    expect(parseRouterArgs([...bind, "--monitor-tag", "{not json"])).toMatchObject({ options: { monitorTag: "{not json" } });
    const plain = parseRouterArgs(bind);
    expect(plain.kind === "run" && "monitorTag" in plain.options).toBe(false);
  });

  it("reads --monitor-interval in milliseconds, only with --monitor-tag", () => {
    expect(parseRouterArgs([...bind, "--monitor-tag", "m", "--monitor-interval", "250"])).toMatchObject({
      options: { monitorTag: "m", monitorIntervalMs: 250 },
    });
    expect(refusal(["--monitor-interval", "250"])).toBe(
      "Option --monitor-interval sets how often the monitor object is refreshed: give --monitor-tag TAG too.",
    );
    expect(refusal(["--monitor-tag", "m", "--monitor-interval", "0"])).toBe('Option --monitor-interval must be a whole number from 1 up; got "0".');
    expect(refusal(["--monitor-tag", "m", "--monitor-interval", "1.5"])).toBe('Option --monitor-interval must be a whole number from 1 up; got "1.5".');
  });

  it("refuses an empty tag and one a tag descriptor refuses", () => {
    expect(refusal(["--monitor-tag="])).toMatch(/^Option --monitor-tag needs a tag, e\.g\. --monitor-tag monitor/);
    expect(refusal(["--monitor-tag", "x".repeat(20_000)])).toMatch(/^Option --monitor-tag: /);
    expect(refusal(["--monitor-tag", "a", "--monitor-tag", "b"])).toBe("Option --monitor-tag was given twice; give it once.");
  });

  it("documents the flags, the HTTP endpoints and the grants a policy needs", () => {
    expect(ROUTER_USAGE).toContain("[--monitor-tag TAG [--monitor-interval MS]]");
    expect(ROUTER_USAGE).toMatch(/--monitor-tag TAG +publish this router's view of itself/);
    expect(ROUTER_USAGE).toMatch(/read as JSON\s+when it parses, e\.g\. \{"monitor":"eu"\}, else as a string/);
    expect(ROUTER_USAGE).toMatch(/With --policy, principals need an observe grant on the tag\s+to see it, and child routers an expose grant on it to publish theirs/);
    expect(ROUTER_USAGE).toMatch(/--monitor-interval MS +milliseconds between two snapshots of the monitor object \(default 1000\)/);
    expect(ROUTER_USAGE).toMatch(/GET \/ the inspector page, GET \/metrics Prometheus metrics\s+\(hakuban_\*\), GET \/healthz 200 while serving and 503 once shutting down/);
  });
});
