import { get } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { LocalNode, connect } from "../../lib/node-entry.js";
import type { NodeSnapshot } from "../../lib/monitor/node-snapshot.js";
import { parsePrometheusText, valueOf } from "../router/prometheus-text.js";
import { ScriptProcess, first, status } from "./helpers.js";

const processes: ScriptProcess[] = [];
const nodes: LocalNode[] = [];
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((each) => each.close()));
  await Promise.all(processes.splice(0).map((each) => each.kill()));
});

function fetchText(url: string): Promise<{ status: number | undefined; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () => resolve({ status: response.statusCode, body }));
    }).on("error", reject);
  });
}

// The router is a process compiling TypeScript as it starts: on a loaded machine that alone takes seconds.
describe("hakuban-router's HTTP side and monitor object", { timeout: 60_000 }, () => {
  it("answers health, metrics and the inspector's configuration on its port, and publishes its snapshot under --monitor-tag", async () => {
    const router = new ScriptProcess("lib/router/router-cli.ts", [
      "--bind",
      "ws://127.0.0.1:0",
      "--name",
      "monitored",
      "--monitor-tag",
      '{"monitor":"e2e"}',
      "--monitor-interval",
      "100",
    ]);
    processes.push(router);
    const url = (await router.waitFor(/listening on ws:\/\//)).match(/listening on (ws:\/\/\S+)/)![1]!;
    const http = url.replace("ws:", "http:");

    expect(await fetchText(`${http}/healthz`)).toEqual({ status: 200, body: "ok\n" });
    expect(JSON.parse((await fetchText(`${http}/inspector.json`)).body)).toEqual({ monitorTag: { monitor: "e2e" }, path: "/", authenticate: false });

    const watcher = new LocalNode({ name: "watcher" });
    nodes.push(watcher);
    await status(connect(watcher, url), "connected");
    const monitor = watcher.tag({ monitor: "e2e" }).observe<NodeSnapshot>();
    const change = await first(monitor.changes$, (each) => each.state?.data.links.some((link) => link.name === "watcher") === true);
    expect(change.descriptor.json).toMatchObject({ node: "monitored" });
    expect(change.state?.data).toMatchObject({ node: "monitored", intervalMs: 100, upstream: null });

    const metrics = parsePrometheusText((await fetchText(`${http}/metrics`)).body);
    expect(valueOf(metrics, "hakuban_links")).toBe(1);
    expect(valueOf(metrics, "hakuban_sent_bytes_total")).toBeGreaterThan(0);

    router.child.kill("SIGTERM");
    expect(await router.exited).toBe(0);
  });
});
