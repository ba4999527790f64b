import { describe, expect, it } from "vitest";
import { parseRouterArgs, ROUTER_USAGE } from "../../lib/router/router-options.js";
import { RouterOptionsError } from "../../lib/router/router-options-error.js";

describe("parseRouterArgs", () => {
  it("reads --bind with defaults for the rest", () => {
    expect(parseRouterArgs(["--bind", "ws://127.0.0.1:3001"])).toEqual({
      kind: "run",
      options: { bind: { host: "127.0.0.1", port: 3001 }, name: "hakuban-router", logLevel: "info" },
    });
  });

  it("reads every option, in either --name value or --name=value form", () => {
    expect(
      parseRouterArgs(["--name=edge", "--bind", "ws://0.0.0.0:0/hakuban", "--connect", "wss://root.example:443/x", "--log-level=debug"]),
    ).toEqual({
      kind: "run",
      options: {
        bind: { host: "0.0.0.0", port: 0, path: "/hakuban" },
        connect: "wss://root.example:443/x",
        name: "edge",
        logLevel: "debug",
      },
    });
  });

  it("reads the listener's connection limits, and leaves out the ones not given (listen's defaults apply)", () => {
    expect(
      parseRouterArgs([
        "--bind",
        "ws://127.0.0.1:3001",
        "--max-connections",
        "500",
        "--max-pending-upgrades=50",
        "--upgrade-timeout",
        "2000",
        "--hello-timeout",
        "4000",
      ]),
    ).toEqual({
      kind: "run",
      options: {
        bind: { host: "127.0.0.1", port: 3001 },
        name: "hakuban-router",
        logLevel: "info",
        maxConnections: 500,
        maxPendingUpgrades: 50,
        upgradeTimeoutMs: 2000,
        helloTimeoutMs: 4000,
      },
    });
    expect(parseRouterArgs(["--bind", "ws://127.0.0.1:3001", "--max-connections", "7"])).toMatchObject({ options: { maxConnections: 7 } });
    expect(ROUTER_USAGE).toMatch(/--max-connections N +most WebSocket connections at once \(default 10000\)/);
    expect(ROUTER_USAGE).toMatch(/--hello-timeout MS[^]*\(default 15000\)/);
  });

  it("unbrackets IPv6 hosts and keeps an explicit default port", () => {
    expect(parseRouterArgs(["--bind", "ws://[::1]:4000"])).toMatchObject({ options: { bind: { host: "::1", port: 4000 } } });
    expect(parseRouterArgs(["--bind", "ws://localhost:80"])).toMatchObject({ options: { bind: { host: "localhost", port: 80 } } });
  });

  it("answers --help and -h with the usage, --version with the version", () => {
    expect(parseRouterArgs(["--help"])).toEqual({ kind: "help" });
    expect(parseRouterArgs(["--bind", "nonsense", "-h"])).toEqual({ kind: "help" });
    expect(ROUTER_USAGE).toContain("--bind ws://HOST:PORT");
    expect(parseRouterArgs(["--version"])).toEqual({ kind: "version" });
    expect(ROUTER_USAGE).toContain("--version");
  });

  it.each([
    [[], /--bind is required/],
    [["--bind"], /--bind needs a value/],
    [["--bind", "--name", "x"], /--bind needs a value/],
    [["--bind", "ws://127.0.0.1:3001", "--bind", "ws://127.0.0.1:3002"], /given twice/],
    [["--bind", "ws://127.0.0.1:3001", "extra"], /Unexpected argument "extra"/],
    [["--bind", "ws://127.0.0.1:3001", "--port", "3"], /Unknown option "--port"/],
    [["--bind", "127.0.0.1:3001"], /--bind: "127\.0\.0\.1:3001" is not a valid WebSocket URL: it does not start with ws:\/\//],
    [["--bind", "not a url"], /--bind: "not a url" is not a valid WebSocket URL/],
    [["--bind", "http://127.0.0.1:3001"], /--bind: .*its scheme is http:\/\//],
    [["--bind", "ws://127.0.0.1:70000"], /--bind: .*its port 70000 is out of range/],
    [["--bind", "ws://127.0.0.1:3O01"], /--bind: .*its port "3O01" is not a number/],
    [["--bind", "wss://127.0.0.1:3001"], /--bind wss:\/\/ needs --tls-cert FILE and --tls-key FILE/],
    [["--bind", "ws://127.0.0.1"], /--bind needs a port/],
    [["--bind", "ws://127.0.0.1:3001?x=1"], /no credentials, query or fragment/],
    [["--bind", "ws://127.0.0.1:3001#x"], /--bind: .*fragment/],
    [["--bind", "ws://127.0.0.1:3001", "--connect", "http://x:1"], /--connect: .*its scheme is http:\/\/.*use ws:\/\//],
    [["--bind", "ws://127.0.0.1:3001", "--connect", "ws://127.0.0.1:0"], /--connect: .*port 0 cannot be dialed/],
    [["--bind", "ws://127.0.0.1:3001", "--connect", "ws//127.0.0.1:3001"], /--connect: .*needs a colon/],
    [["--bind", "ws://127.0.0.1:3001", "--name", ""], /--name must not be empty/],
    [["--bind", "ws://127.0.0.1:3001", "--log-level", "loud"], /--log-level must be one of error, warn, info, debug; got "loud"/],
    [["--bind", "ws://127.0.0.1:3001", "--max-connections", "0"], /--max-connections must be a whole number from 1 up; got "0"/],
    [["--bind", "ws://127.0.0.1:3001", "--max-connections", "1e3"], /--max-connections must be a whole number from 1 up; got "1e3"/],
    [["--bind", "ws://127.0.0.1:3001", "--max-pending-upgrades=-5"], /--max-pending-upgrades must be a whole number/],
    [["--bind", "ws://127.0.0.1:3001", "--upgrade-timeout", "2.5"], /--upgrade-timeout must be a whole number from 1 up; got "2\.5"/],
    [["--bind", "ws://127.0.0.1:3001", "--hello-timeout", "soon"], /--hello-timeout must be a whole number/],
    [["--bind", "ws://127.0.0.1:3001", "--max-connections", "9007199254740993"], /--max-connections must be a whole number/],
  ])("refuses %j", (argv, message) => {
    expect(() => parseRouterArgs(argv)).toThrow(RouterOptionsError);
    expect(() => parseRouterArgs(argv)).toThrow(message);
  });
});
