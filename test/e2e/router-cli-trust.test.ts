import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { SignJWT } from "jose";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { WebSocket } from "ws";
import { AccessDeniedError } from "../../lib/exchange/access-denied-error.js";
import { LocalNode } from "../../lib/local-node/local-node.js";
import { connect } from "../../lib/net/node/connect.js";
import { LinkRefusedError } from "../../lib/sync/link-refused-error.js";
import { ScriptProcess, status } from "./helpers.js";
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

/** The HTTP status a WebSocket upgrade from `origin` is answered with (101 when it opened). */
function upgradeStatus(url: string, origin: string, ca: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { origin, ca });
    socket.once("open", () => {
      socket.terminate();
      resolve(101);
    });
    socket.once("unexpected-response", (_request, response) => {
      response.resume();
      socket.terminate();
      resolve(response.statusCode ?? 0);
    });
    socket.once("error", (error) => {
      if (socket.readyState !== WebSocket.CLOSED) reject(error);
    });
  });
}

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
    expect(await upgradeStatus(url, "https://admin.example.com", certificates.ca)).toBe(101);
    expect(await upgradeStatus(url, "https://evil.example", certificates.ca)).toBe(403);
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

  it("does not start (exit 1) on a TLS file it cannot read or a JWT secret too short, saying which and why; refuses wss:// without a certificate (exit 2)", async () => {
    const shortSecret = join(certificates.dir, "short.secret");
    writeFileSync(shortSecret, "too short\n");
    const missing = join(certificates.dir, "missing.pem");
    const noCert = router("--bind", "wss://127.0.0.1:0", "--tls-cert", missing, "--tls-key", certificates.keyFile);
    const weak = router("--bind", "ws://127.0.0.1:0", "--jwt-secret-file", shortSecret);
    const plain = router("--bind", "wss://127.0.0.1:0");

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
    expect([...noCert.lines, ...weak.lines, ...plain.lines]).toEqual([]);
  });
});
