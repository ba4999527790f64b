import { describe, expect, it, vi } from "vitest";
import { joinCluster } from "../../lib/cluster/cluster-member.js";
import { makeTestCertificates, type TestCertificates } from "../e2e/tls-certificates.js";
import { cleanupAfterEach } from "../test-cleanup.js";
import { RedisServer } from "./redis-server.js";

const { defer, node } = cleanupAfterEach();

describe("a cluster over a Redis that serves TLS and requires a password", () => {
  it("carries an object between roots joined with rediss://:PASSWORD@… and the Redis' certificate authority", async () => {
    const certificates: TestCertificates = makeTestCertificates();
    defer(() => certificates.remove());
    const redis = await RedisServer.start({ tls: { certFile: certificates.certFile, keyFile: certificates.keyFile }, password: "s3cret" });
    defer(() => redis.stop());
    expect(redis.url).toMatch(/^rediss:\/\/:s3cret@127\.0\.0\.1:\d+$/);
    const [a, b] = [node("a"), node("b")];
    const members = [a, b].map((root) => joinCluster(root, { url: redis.url, tls: { ca: certificates.ca } }));
    a.object(["t"], "x").expose<string>().set("over TLS");
    const observe = b.object(["t"], "x").observe<string>();
    await vi.waitFor(() => expect(observe.state).toMatchObject({ data: "over TLS", synchronized: true }), { timeout: 10_000, interval: 5 });
    expect(members.every((member) => member.inCluster)).toBe(true);
  });
});
