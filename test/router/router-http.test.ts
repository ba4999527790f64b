import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { filter, firstValueFrom } from "rxjs";
import { afterEach, describe, expect, it } from "vitest";
import { connect, LocalNode } from "../../lib/node-entry.js";
import type { RouterOptions } from "../../lib/router/router-options.js";
import { type Router, type RouterInternals, startRouter } from "../../lib/router/router.js";
import { until } from "../e2e/helpers.js";
import { fetchText as fetchHttp, type HttpAnswer } from "../e2e/http-probes.js";
import { RawTcpClient } from "../transports/raw-tcp-client.js";
import { parsePrometheusText, valueOf } from "./prometheus-text.js";

const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function temporaryFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), "hakuban-router-http-"));
  cleanups.push(() => rmSync(folder, { recursive: true, force: true }));
  return folder;
}

async function router(options: Partial<RouterOptions> = {}, internals: RouterInternals = {}): Promise<Router> {
  const started = await startRouter({ bind: { host: "127.0.0.1", port: 0 }, name: "http-router", logLevel: "error", ...options }, () => {}, internals);
  cleanups.push(() => started.close());
  return started;
}

function node(name: string, url: string): LocalNode {
  const made = new LocalNode({ name });
  cleanups.push(() => made.close());
  connect(made, url);
  return made;
}

function fetchText(target: Router, path: string, method = "GET"): Promise<HttpAnswer> {
  return fetchHttp(`http://127.0.0.1:${target.listener.port}${path}`, { method });
}

const sha256 = (text: string): string => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;

describe("the router's HTTP side", () => {
  it("answers /healthz 200 while serving and 503 once shutting down", async () => {
    const served = await router();
    // A linked child makes the shutdown wait for its answer to Farewell; a request completed as the
    // shutdown starts is answered in that wait.
    const child = node("child", served.listener.url);
    await until(() => served.node.snapshot().links[0]?.name === "child");
    const raw = await RawTcpClient.open(served.listener.port);
    cleanups.push(() => raw.destroy());
    raw.socket.setNoDelay(true); // the request's end must not wait for the ACK of its start
    raw.socket.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    // Answered after the server read the start of the raw request, which connected first.
    const healthy = await fetchText(served, "/healthz");
    expect(healthy).toMatchObject({ status: 200, body: "ok\n" });
    expect(healthy.headers["cache-control"]).toBe("no-store");

    const closed = served.close();
    raw.socket.write("\r\n");
    await raw.closed;
    expect(raw.text).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n[^]*\r\n\r\nshutting down\n$/);
    await closed;
    await child.close();
  });

  it("answers 404 to other paths and 405 to methods other than GET and HEAD", async () => {
    const served = await router();
    const missing = await fetchText(served, "/nope");
    expect(missing).toMatchObject({ status: 404, body: "Nothing here: the router serves /, /inspector.json, /metrics and /healthz.\n" });
    for (const method of ["POST", "PUT", "DELETE"]) {
      const refused = await fetchText(served, "/metrics", method);
      expect(refused).toMatchObject({ status: 405, body: "/metrics answers GET and HEAD only.\n" });
      expect(refused.headers.allow).toBe("GET, HEAD");
    }
    const head = await fetchText(served, "/healthz?probe=1", "HEAD");
    expect(head).toMatchObject({ status: 200, body: "" });
    expect(head.headers["content-length"]).toBe("3");
  });

  it("tells the inspector page the monitor tag, the WebSocket path and whether links authenticate", async () => {
    const plain = await fetchText(await router(), "/inspector.json");
    expect(plain.status).toBe(200);
    expect(plain.headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(plain.headers["cache-control"]).toBe("no-store");
    expect(JSON.parse(plain.body)).toEqual({ monitorTag: null, path: "/", authenticate: false });

    const secretFile = join(temporaryFolder(), "jwt.secret");
    writeFileSync(secretFile, "a secret of at least thirty-two bytes, for HS256\n");
    const monitored = await router({ bind: { host: "127.0.0.1", port: 0, path: "/hakuban" }, monitorTag: { monitor: "eu" }, jwtSecretFile: secretFile });
    expect(JSON.parse((await fetchText(monitored, "/inspector.json")).body)).toEqual({ monitorTag: { monitor: "eu" }, path: "/hakuban", authenticate: true });
  });

  it("serves the built inspector page with a content security policy allowing its inline script and style only", async () => {
    const folder = temporaryFolder();
    const page = join(folder, "index.html");
    const served = await router({}, { inspectorPage: pathToFileURL(page) });
    const unbuilt = await fetchText(served, "/");
    expect(unbuilt).toMatchObject({ status: 404, body: "The inspector page is not built: run `npm run build` (it writes dist/inspector/index.html).\n" });

    const html = '<!doctype html><html><head><style>body{color:red}</style></head><body><script>document.title="x"</script></body></html>';
    writeFileSync(page, html);
    const answer = await fetchText(served, "/");
    expect(answer.status).toBe(200);
    expect(answer.body).toBe(html);
    expect(answer.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(answer.headers["content-security-policy"]).toBe(
      `default-src 'none'; script-src ${sha256('document.title="x"')}; style-src ${sha256("body{color:red}")}; ` +
        "connect-src 'self' ws: wss:; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
  });

  it("serves Prometheus metrics whose every sample belongs to a family with HELP and TYPE, and which follow the traffic", async () => {
    const served = await router();
    const before = parsePrometheusText((await fetchText(served, "/metrics")).body);
    const types = Object.fromEntries([...before.values()].filter((family) => family.name.startsWith("hakuban_")).map((family) => [family.name, family.type]));
    expect(types).toEqual({
      hakuban_links: "gauge",
      hakuban_objects: "gauge",
      hakuban_tags: "gauge",
      hakuban_contracts: "gauge",
      hakuban_queued_bytes: "gauge",
      hakuban_updates_total: "counter",
      hakuban_elections_total: "counter",
      hakuban_handovers_total: "counter",
      hakuban_refusals_total: "counter",
      hakuban_denials_total: "counter",
      hakuban_received_messages_total: "counter",
      hakuban_sent_messages_total: "counter",
      hakuban_received_bytes_total: "counter",
      hakuban_sent_bytes_total: "counter",
      hakuban_router_info: "gauge",
      hakuban_event_loop_delay_p99_seconds: "gauge",
      hakuban_event_loop_delay_max_seconds: "gauge",
    });
    expect(before.get("hakuban_router_info")?.samples[0]?.labels).toMatchObject({ name: "http-router" });
    expect(before.get("process_cpu_user_seconds_total")?.type).toBe("counter");
    expect(valueOf(before, "hakuban_links")).toBe(0);
    expect(valueOf(before, "hakuban_updates_total")).toBe(0);

    const exposer = node("exposer", served.listener.url);
    const observer = node("observer", served.listener.url);
    const expose = exposer.object(["metrics"], 1).expose<number>();
    const observe = observer.object(["metrics"], 1).observe<number>();
    for (let n = 1; n <= 3; n++) {
      expose.set(n);
      await firstValueFrom(observe.state$.pipe(filter((state) => state?.data === n)));
    }
    const after = parsePrometheusText((await fetchText(served, "/metrics")).body);
    expect(valueOf(after, "hakuban_links")).toBe(2);
    expect(valueOf(after, "hakuban_objects")).toBe(1);
    expect(valueOf(after, "hakuban_updates_total")).toBe(3);
    expect(valueOf(after, "hakuban_elections_total")).toBe(1);
    for (const name of ["hakuban_received_messages_total", "hakuban_sent_messages_total", "hakuban_received_bytes_total", "hakuban_sent_bytes_total"]) {
      expect(valueOf(after, name), name).toBeGreaterThan(0);
    }
    expect(valueOf(after, "hakuban_event_loop_delay_max_seconds")).toBeGreaterThanOrEqual(valueOf(after, "hakuban_event_loop_delay_p99_seconds"));
    // Counters show the node's totals, not a sum of what each scrape read.
    const again = parsePrometheusText((await fetchText(served, "/metrics")).body);
    expect(valueOf(again, "hakuban_updates_total")).toBe(3);
    expect(valueOf(again, "hakuban_elections_total")).toBe(1);
  });
});
