import { describe, expect, it } from "vitest";
import { parseRouterArgs } from "../../lib/router/router-options.js";
import { RouterOptionsError } from "../../lib/router/router-options-error.js";

describe("hakuban-router --cluster", () => {
  it("takes a Redis URL (redis:// or rediss://, with credentials) and a lease time", () => {
    const command = parseRouterArgs(["--bind", "ws://127.0.0.1:0", "--cluster", "rediss://user:secret@redis.example:6380/2", "--cluster-lease", "2000", "--cluster-ca-file", "ca.pem"]);
    expect(command).toMatchObject({ kind: "run", options: { cluster: "rediss://user:secret@redis.example:6380/2", clusterLeaseMs: 2000, clusterCaFile: "ca.pem" } });
    const plain = parseRouterArgs(["--bind", "ws://127.0.0.1:0", "--cluster", "redis://127.0.0.1:6379"]);
    expect(plain.kind === "run" ? plain.options.clusterLeaseMs : "not run").toBeUndefined();
  });

  it.each([
    [["--cluster", "http://127.0.0.1:6379"], /--cluster takes a Redis URL/],
    [["--cluster", "127.0.0.1:6379"], /--cluster takes a Redis URL/],
    [["--cluster-lease", "100"], /--cluster-lease is for a cluster member: give --cluster/],
    [["--cluster-ca-file", "ca.pem"], /--cluster-ca-file is for a cluster member: give --cluster/],
    [["--cluster", "redis://127.0.0.1:6379", "--cluster-ca-file", "ca.pem"], /--cluster-ca-file verifies a Redis serving TLS, so --cluster must be rediss:/],
    [["--cluster", "redis://127.0.0.1:6379", "--cluster-lease", "0"], /--cluster-lease must be a whole number from 1 up/],
    [["--cluster", "redis://127.0.0.1:6379", "--connect", "ws://127.0.0.1:3001"], /--cluster and --connect exclude each other/],
  ])("refuses %j", (argv, message) => {
    const run = () => parseRouterArgs(["--bind", "ws://127.0.0.1:3001", ...argv]);
    expect(run).toThrow(RouterOptionsError);
    expect(run).toThrow(message);
  });

  it("takes --connect more than once: the roots of a cluster, dialed in turn", () => {
    const command = parseRouterArgs(["--bind", "ws://127.0.0.1:0", "--connect", "ws://root-a:3001", "--connect", "ws://root-b:3001"]);
    expect(command).toMatchObject({ kind: "run", options: { connect: ["ws://root-a:3001", "ws://root-b:3001"] } });
    const one = parseRouterArgs(["--bind", "ws://127.0.0.1:0", "--connect", "ws://root-a:3001"]);
    expect(one).toMatchObject({ kind: "run", options: { connect: "ws://root-a:3001" } });
    const run = () => parseRouterArgs(["--bind", "ws://127.0.0.1:0", "--connect", "wss://root-a:3001", "--connect", "ws://root-b:3001", "--ca-file", "ca.pem"]);
    expect(run).toThrow(/--ca-file verifies a parent serving TLS/);
    expect(() => parseRouterArgs(["--bind", "ws://127.0.0.1:0", "--connect", "ws://root-a:3001", "--connect", "http://root-b:3001"])).toThrow(/--connect: .*scheme is http/);
  });
});
