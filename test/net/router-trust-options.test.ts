import { describe, expect, it } from "vitest";
import { parseRouterArgs, ROUTER_USAGE } from "../../lib/router/router-options.js";
import { RouterOptionsError } from "../../lib/router/router-options-error.js";

const bind = ["--bind", "ws://127.0.0.1:3001"];

describe("the router's trust options", () => {
  it("reads a wss:// bind with its certificate and key files", () => {
    expect(parseRouterArgs(["--bind", "wss://0.0.0.0:443/hakuban", "--tls-cert", "cert.pem", "--tls-key=key.pem"])).toEqual({
      kind: "run",
      options: {
        bind: { host: "0.0.0.0", port: 443, path: "/hakuban" },
        name: "hakuban-router",
        logLevel: "info",
        tls: { certFile: "cert.pem", keyFile: "key.pem" },
      },
    });
  });

  it("reads --allowed-origin as often as it is given, and the secret, policy and audit files", () => {
    expect(
      parseRouterArgs([
        ...bind,
        "--allowed-origin",
        "https://app.example.com",
        "--jwt-secret-file",
        "/run/secrets/jwt",
        "--allowed-origin=http://localhost:8080",
        "--policy",
        "policy.json",
        "--audit-log",
        "-",
      ]),
    ).toMatchObject({
      options: {
        allowedOrigins: ["https://app.example.com", "http://localhost:8080"],
        jwtSecretFile: "/run/secrets/jwt",
        policyFile: "policy.json",
        auditLog: "-",
      },
    });
    expect(parseRouterArgs(bind)).toEqual({ kind: "run", options: { bind: { host: "127.0.0.1", port: 3001 }, name: "hakuban-router", logLevel: "info" } });
  });

  it("reads the token and CA files of the link to a wss:// parent", () => {
    expect(parseRouterArgs([...bind, "--connect", "wss://root.example:443", "--token-file", "edge.jwt", "--ca-file=ca.pem"])).toMatchObject({
      options: { connect: "wss://root.example:443", tokenFile: "edge.jwt", caFile: "ca.pem" },
    });
    expect(parseRouterArgs([...bind, "--connect", "ws://127.0.0.1:3000", "--token-file", "edge.jwt"])).toMatchObject({ options: { tokenFile: "edge.jwt" } });
  });

  it("lists every trust option in the usage", () => {
    for (const option of [
      "--tls-cert FILE",
      "--tls-key FILE",
      "--allowed-origin ORIGIN",
      "--jwt-secret-file FILE",
      "--policy FILE",
      "--audit-log FILE|-",
      "--token-file FILE",
      "--ca-file FILE",
    ]) {
      expect(ROUTER_USAGE).toMatch(new RegExp(`^ {2}${option.replace("|", "\\|")} `, "m"));
    }
  });

  it.each([
    [["--bind", "wss://127.0.0.1:3001"], /--bind wss:\/\/ needs --tls-cert FILE and --tls-key FILE/],
    [["--bind", "wss://127.0.0.1:3001", "--tls-cert", "c.pem"], /--tls-cert and --tls-key go together; give --tls-key too/],
    [["--bind", "wss://127.0.0.1:3001", "--tls-key", "k.pem"], /give --tls-cert too/],
    [[...bind, "--tls-cert", "c.pem", "--tls-key", "k.pem"], /--tls-cert and --tls-key serve TLS, so --bind must be wss:\/\/HOST:PORT/],
    [["--bind", "wss://127.0.0.1:3001", "--tls-cert", "", "--tls-key", "k.pem"], /--tls-cert needs a file name/],
    [["--bind", "wss://127.0.0.1", "--tls-cert", "c.pem", "--tls-key", "k.pem"], /--bind needs a port/],
    [[...bind, "--allowed-origin", "app.example.com"], /--allowed-origin: "app\.example\.com" is not an origin; write scheme:\/\/host\[:port\]/],
    [[...bind, "--allowed-origin", "https://app.example.com/index.html"], /--allowed-origin: .*is not an origin/],
    [[...bind, "--allowed-origin"], /--allowed-origin needs a value/],
    [[...bind, "--policy", "a.json", "--policy", "b.json"], /--policy was given twice/],
    [[...bind, "--jwt-secret-file", ""], /--jwt-secret-file needs a file name/],
    [[...bind, "--audit-log", "--name", "x"], /--audit-log needs a value/],
    [[...bind, "--token-file", "edge.jwt"], /--token-file is for the link to a parent: give --connect/],
    [[...bind, "--ca-file", "ca.pem"], /--ca-file is for the link to a parent: give --connect/],
    [[...bind, "--connect", "ws://127.0.0.1:3000", "--ca-file", "ca.pem"], /--ca-file verifies a parent serving TLS, so --connect must be wss:/],
    [[...bind, "--connect", "ws://127.0.0.1:3000", "--token-file", ""], /--token-file needs a file name/],
  ])("refuses %j", (argv, message) => {
    expect(() => parseRouterArgs(argv)).toThrow(RouterOptionsError);
    expect(() => parseRouterArgs(argv)).toThrow(message);
  });

  it("keeps an explicit default port of wss:// (443)", () => {
    expect(parseRouterArgs(["--bind", "wss://example.com:443", "--tls-cert", "c", "--tls-key", "k"])).toMatchObject({
      options: { bind: { host: "example.com", port: 443 } },
    });
  });
});
