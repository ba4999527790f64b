import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SignJWT } from "jose";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { AccessDeniedError } from "../../lib/exchange/access-denied-error.js";
import { LocalNode } from "../../lib/local-node/local-node.js";
import { connect } from "../../lib/net/node/connect.js";
import { LinkRefusedError } from "../../lib/sync/link-refused-error.js";
import { ScriptProcess, status } from "./helpers.js";
import { upgradeStatus } from "./http-probes.js";
import { makeTestCertificates, type TestCertificates } from "./tls-certificates.js";

const processes: ScriptProcess[] = [];
const nodes: LocalNode[] = [];
function router(...args: string[]): ScriptProcess {
  const started = new ScriptProcess("lib/router/router-cli.ts", args);
  processes.push(started);
  return started;
}
function node(name: string): LocalNode {
  const made = new LocalNode({ name });
  nodes.push(made);
  return made;
}

let certificates: TestCertificates;
beforeAll(() => {
  certificates = makeTestCertificates();
});
afterAll(() => certificates.remove());
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((each) => each.close()));
  await Promise.all(processes.splice(0).map((each) => each.kill()));
});

// Each router is a process compiling TypeScript as it starts: on a loaded machine that alone takes seconds.
describe("hakuban-router's trust options", { timeout: 60_000 }, () => {
  it("serves wss:// with --tls-cert and --tls-key, and answers browsers of origins not given by --allowed-origin 403 with a warning", async () => {
    const cli = router(
      "--bind",
      "wss://127.0.0.1:0",
      "--tls-cert",
      certificates.certFile,
      "--tls-key",
      certificates.keyFile,
      "--allowed-origin",
      "https://app.example.com",
      "--allowed-origin",
      "https://admin.example.com",
    );
    const url = (await cli.waitFor(/listening on wss:\/\//)).match(/listening on (wss:\/\/\S+)/)![1]!;
    await status(connect(node("child"), url, { tls: { ca: certificates.ca } }), "connected");
    expect(await upgradeStatus(url, { origin: "https://admin.example.com", ca: certificates.ca })).toBe(101);
    expect(await upgradeStatus(url, { origin: "https://evil.example", ca: certificates.ca })).toBe(403);
    expect(await cli.waitFor(/refused wss:/)).toMatch(
      /warn +hakuban-router: refused wss:\/\/127\.0\.0\.1:\d+: answered 403: origin "https:\/\/evil\.example" is not in allowedOrigins/,
    );
  });

  it("authenticates links with --jwt-secret-file, holds them to --policy (reloaded on change and SIGHUP, a bad edit rejected), and audits to --audit-log", async () => {
    const secret = "a router secret of at least thirty-two bytes";
    const secretFile = join(certificates.dir, "jwt.secret");
    writeFileSync(secretFile, `${secret}\n`);
    const policyFile = join(certificates.dir, "policy.json");
    const rules = (viewerMayObserve: boolean) => ({
      rules: [
        { principal: { role: "sensor" }, observe: [{ tag: "readings" }], expose: [{ tag: "readings" }] },
        ...(viewerMayObserve ? [{ principal: { role: "viewer" }, observe: [{ tag: "readings" }] }] : []),
      ],
    });
    writeFileSync(policyFile, JSON.stringify(rules(true)));
    const auditFile = join(certificates.dir, "audit.jsonl");
    const cli = router("--bind", "ws://127.0.0.1:0", "--jwt-secret-file", secretFile, "--policy", policyFile, "--audit-log", auditFile);
    const url = (await cli.waitFor(/listening on ws:\/\//)).match(/listening on (ws:\/\/\S+)/)![1]!;
    const token = (sub: string, role: string, key = secret): Promise<string> =>
      new SignJWT({ role }).setProtectedHeader({ alg: "HS256" }).setSubject(sub).setExpirationTime("1h").sign(new TextEncoder().encode(key));

    const sensor = node("sensor");
    await status(connect(sensor, url, { token: await token("s1", "sensor") }), "connected");
    const viewerNode = node("viewer");
    const errors: unknown[] = [];
    viewerNode.onError(({ error }) => errors.push(error));
    await status(connect(viewerNode, url, { token: await token("v1", "viewer") }), "connected");
    const exposer = sensor.object(["readings"], 1).expose<number>();
    exposer.set(1);
    const observer = viewerNode.object(["readings"], 1).observe<number>();
    await vi.waitFor(() => expect(observer.data).toBe(1));

    const forged = connect(node("forger"), url, { token: await token("m", "sensor", "another secret of thirty-two bytes!!") });
    await status(forged, "closed");
    expect(forged.lastError).toBeInstanceOf(LinkRefusedError);

    // SIGHUP after each edit, so the test does not depend on the file system telling the router of it.
    writeFileSync(policyFile, "{ \"rules\": [ ");
    cli.child.kill("SIGHUP");
    await cli.waitFor(/policy file .* rejected, the previous policy stays/);
    exposer.set(2);
    await vi.waitFor(() => expect(observer.data).toBe(2));

    writeFileSync(policyFile, JSON.stringify(rules(false)));
    cli.child.kill("SIGHUP");
    await cli.waitFor(/SIGHUP: reading the policy file .*policy\.json again/);
    await vi.waitFor(() => expect(observer.denial).toBeInstanceOf(AccessDeniedError));
    expect(errors.some((error) => error instanceof AccessDeniedError)).toBe(true);

    cli.child.kill("SIGTERM");
    expect(await cli.exited).toBe(0);
    const events = readFileSync(auditFile, "utf8").trimEnd().split("\n").map((line) => JSON.parse(line) as { kind: string; source?: string });
    const kinds = events.map((event) => event.kind);
    expect(kinds).toEqual(expect.arrayContaining(["authenticated", "refused", "policy-rejected", "policy-changed", "denied"]));
    expect(events.filter((event) => event.kind === "policy-changed")).toEqual([expect.objectContaining({ source: policyFile, rules: 1 })]);
  });

  it("links a child router to a wss:// root with --token-file (read again at each dial, sent again on SIGHUP) and --ca-file; its children get what the root's policy grants the child router's principal", async () => {
    const secret = "a root secret of at least thirty-two bytes";
    const secretFile = join(certificates.dir, "root.secret");
    writeFileSync(secretFile, secret);
    const policyFile = join(certificates.dir, "root-policy.json");
    writeFileSync(
      policyFile,
      JSON.stringify({
        rules: [
          { principal: { role: "sensor" }, expose: [{ tag: "public" }, { tag: "secret" }] },
          { principal: { role: "edge" }, observe: [{ tag: "public" }] },
          { principal: { role: "edge-admin" }, observe: [{ tag: "public" }, { tag: "secret" }] },
        ],
      }),
    );
    const caFile = join(certificates.dir, "ca.pem");
    writeFileSync(caFile, certificates.ca);
    const token = (sub: string, role: string, key = secret): Promise<string> =>
      new SignJWT({ role }).setProtectedHeader({ alg: "HS256" }).setSubject(sub).setExpirationTime("1h").sign(new TextEncoder().encode(key));
    const tokenFile = join(certificates.dir, "edge.jwt");
    writeFileSync(tokenFile, `${await token("edge-1", "edge", "not the root's secret, but as long as it")}\n`);

    const root = router(
      "--bind",
      "wss://127.0.0.1:0",
      "--tls-cert",
      certificates.certFile,
      "--tls-key",
      certificates.keyFile,
      "--jwt-secret-file",
      secretFile,
      "--policy",
      policyFile,
      "--name",
      "root",
    );
    const rootUrl = (await root.waitFor(/listening on wss:\/\//)).match(/listening on (wss:\/\/\S+)/)![1]!;
    const edge = router("--bind", "ws://127.0.0.1:0", "--connect", rootUrl, "--token-file", tokenFile, "--ca-file", caFile, "--name", "edge");
    const edgeUrl = (await edge.waitFor(/listening on ws:\/\//)).match(/listening on (ws:\/\/\S+)/)![1]!;
    // The forged token is refused; the router redials, reading the file again, and links once it holds a good token.
    await edge.waitFor(/refused by the parent: .*redialing for a new token/);
    writeFileSync(tokenFile, `${await token("edge-1", "edge")}\n`);

    const sensor = node("sensor");
    await status(connect(sensor, rootUrl, { token: await token("s1", "sensor"), tls: { ca: certificates.ca } }), "connected");
    sensor.object(["public"], "weather").expose<string>().set("sunny");
    sensor.object(["secret"], "codes").expose<string>().set("1234");

    const leaf = node("leaf");
    const errors: unknown[] = [];
    leaf.onError(({ error }) => errors.push(error));
    await status(connect(leaf, edgeUrl), "connected");
    const weather = leaf.object(["public"], "weather").observe<string>();
    const codes = leaf.object(["secret"], "codes").observe<string>();
    await vi.waitFor(() => expect(weather.data).toBe("sunny"), { timeout: 30_000 });
    await vi.waitFor(() => expect(codes.denial).toBeInstanceOf(AccessDeniedError), { timeout: 30_000 });
    expect(codes.data).toBeUndefined();
    expect(errors.some((error) => error instanceof AccessDeniedError)).toBe(true);

    // A rotated token, sent on the live link at SIGHUP: the root grants the child router's principal more.
    writeFileSync(tokenFile, `${await token("edge-1", "edge-admin")}\n`);
    edge.child.kill("SIGHUP");
    await edge.waitFor(/SIGHUP: sending the parent the token in .*edge\.jwt again/);
    await vi.waitFor(() => expect(codes.data).toBe("1234"), { timeout: 30_000 });
    expect(codes.denial).toBeUndefined();
  });

  it("does not start (exit 1) on a TLS or token file it cannot read or a JWT secret too short, saying which and why; refuses wss:// without a certificate (exit 2)", async () => {
    const shortSecret = join(certificates.dir, "short.secret");
    writeFileSync(shortSecret, "too short\n");
    const missing = join(certificates.dir, "missing.pem");
    const noCert = router("--bind", "wss://127.0.0.1:0", "--tls-cert", missing, "--tls-key", certificates.keyFile);
    const weak = router("--bind", "ws://127.0.0.1:0", "--jwt-secret-file", shortSecret);
    const plain = router("--bind", "wss://127.0.0.1:0");
    const noToken = router("--bind", "ws://127.0.0.1:0", "--connect", "ws://127.0.0.1:9", "--token-file", missing);

    expect(await noCert.exited).toBe(1);
    expect(noCert.stderr.join("\n")).toMatch(
      /error +hakuban-router: cannot start: --tls-cert .*missing\.pem: cannot read the TLS certificate \(ENOENT: .*\); check the path/,
    );
    expect(await weak.exited).toBe(1);
    expect(weak.stderr.join("\n")).toMatch(
      /cannot start: --jwt-secret-file .*short\.secret: The JWT secret has 9 bytes; HS256 need at least 32 \(RFC 7518 §3\.2\)/,
    );
    expect(await plain.exited).toBe(2);
    expect(plain.stderr.join("\n")).toContain("--bind wss:// needs --tls-cert FILE and --tls-key FILE");
    expect(await noToken.exited).toBe(1);
    expect(noToken.stderr.join("\n")).toMatch(/cannot start: --token-file .*missing\.pem: cannot read the token for the parent \(ENOENT: .*\); check the path/);
    expect([...noCert.lines, ...weak.lines, ...plain.lines, ...noToken.lines]).toEqual([]);
  });
});
