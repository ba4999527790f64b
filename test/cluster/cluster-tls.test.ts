import { afterEach, describe, expect, it, vi } from "vitest";
import { joinCluster } from "../../lib/cluster/cluster-member.js";
import { LocalNode } from "../../lib/local-node/local-node.js";
import { makeTestCertificates, type TestCertificates } from "../e2e/tls-certificates.js";
import { RedisServer } from "./redis-server.js";

const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe("a cluster over a Redis that serves TLS and requires a password", () => {
  it("carries an object between roots joined with rediss://:PASSWORD@… and the Redis' certificate authority", async () => {
    const certificates: TestCertificates = makeTestCertificates();
    cleanups.push(() => certificates.remove());
    const redis = await RedisServer.start({ tls: { certFile: certificates.certFile, keyFile: certificates.keyFile }, password: "s3cret" });
    cleanups.push(() => redis.stop());
    expect(redis.url).toMatch(/^rediss:\/\/:s3cret@127\.0\.0\.1:\d+$/);
    const [a, b] = [new LocalNode({ name: "a" }), new LocalNode({ name: "b" })];
    cleanups.push(() => a.close(), () => b.close());
    const members = [a, b].map((node) => joinCluster(node, { url: redis.url, tls: { ca: certificates.ca } }));
    a.object(["t"], "x").expose<string>().set("over TLS");
    const observe = b.object(["t"], "x").observe<string>();
    await vi.waitFor(() => expect(observe.state).toMatchObject({ data: "over TLS", synchronized: true }), { timeout: 10_000, interval: 5 });
    expect(members.every((member) => member.inCluster)).toBe(true);
  });
});
