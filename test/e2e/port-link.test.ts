/**
 * Links between threads: a node in a worker_threads worker linked to the main thread's node by a
 * message port (connectPort / listenPorts), both ways, through a worker's termination and a relink on a
 * fresh port.
 */
import { build } from "esbuild";
import { MessageChannel, type MessagePort, Worker } from "node:worker_threads";
import { beforeAll, expect, it } from "vitest";
import { connectPort, type JsonValue, listenPorts, type LocalNode, type ObjectState, type PortListener } from "../../lib/index.js";
import { cleanupAfterEach } from "../test-cleanup.js";
import type { PortWorkerData, WorkerCommand, WorkerReport } from "./port-worker.js";

const WAIT = { timeout: 10_000, interval: 5 } as const;
let workerCode: string;
const { defer, node: testNode } = cleanupAfterEach();

beforeAll(async () => {
  const result = await build({
    entryPoints: [new URL("./port-worker.ts", import.meta.url).pathname],
    bundle: true,
    platform: "node",
    format: "cjs",
    write: false,
    logLevel: "silent",
  });
  workerCode = result.outputFiles[0]!.text;
});

/** A worker running port-worker.ts, and what it reported. */
interface TestWorker {
  readonly reports: WorkerReport[];
  send(command: WorkerCommand, transfer?: MessagePort[]): void;
  /** Each state the worker's observer saw, `undefined` for none. */
  states(): Array<ObjectState<JsonValue> | undefined>;
  readonly worker: Worker;
}

function startWorker(data: PortWorkerData): TestWorker {
  const worker = new Worker(workerCode, { eval: true, workerData: data, transferList: data.port === undefined ? [] : [data.port] });
  defer(() => worker.terminate());
  const reports: WorkerReport[] = [];
  worker.on("message", (report: WorkerReport) => reports.push(report));
  return {
    reports,
    worker,
    send: (command, transfer = []) => worker.postMessage(command, transfer),
    states: () => reports.flatMap((report) => (report.kind === "state" ? [report.state] : [])),
  };
}

/** A parent node accepting ports. */
function parent(name = "main"): { node: LocalNode; ports: PortListener } {
  const node = testNode(name);
  return { node, ports: listenPorts(node) };
}

it("links a worker that exposes to the main thread that observes", async () => {
  const { node, ports } = parent();
  const { port1, port2 } = new MessageChannel();
  ports.accept(port1, { peer: "worker #1" });
  const worker = startWorker({ port: port2 });
  const observed = node.object(["shared"], "counter").observe<{ n: number }>();
  worker.send({ kind: "expose", data: { n: 1 } });
  await expect.poll(() => observed.state?.synchronized && observed.data, WAIT).toEqual({ n: 1 });
  worker.send({ kind: "expose", data: { n: 2 } });
  await expect.poll(() => observed.data, WAIT).toEqual({ n: 2 });
  expect(ports.links).toBe(1);
  expect(worker.reports).toContainEqual({ kind: "status", status: "connected" });
});

it("links the main thread that exposes to a worker that observes, and the worker's close ends the link cleanly", async () => {
  const { node, ports } = parent();
  const { port1, port2 } = new MessageChannel();
  ports.accept(port1);
  const worker = startWorker({ port: port2 });
  const exposed = node.object(["shared"], "counter").expose<string>();
  exposed.set("from main");
  worker.send({ kind: "observe" });
  await expect.poll(() => worker.states().at(-1)?.data, WAIT).toBe("from main");
  expect(worker.states().at(-1)?.synchronized).toBe(true);
  worker.send({ kind: "close" });
  await expect.poll(() => ports.links, WAIT).toBe(0);
  await expect.poll(() => worker.reports.filter((report) => report.kind === "status").at(-1), WAIT).toEqual({ kind: "status", status: "closed" });
});

it("notices a terminated worker at once: the observers of what it exposed see synchronized false", async () => {
  const { node, ports } = parent();
  const { port1, port2 } = new MessageChannel();
  ports.accept(port1);
  // A keep-alive far longer than the test: only the port's own close can tell the main thread.
  const worker = startWorker({ port: port2, keepAliveMs: 60_000 });
  const observed = node.object(["shared"], "counter").observe<string>();
  worker.send({ kind: "expose", data: "alive" });
  await expect.poll(() => observed.state?.synchronized, WAIT).toBe(true);
  await worker.worker.terminate();
  await expect.poll(() => observed.state?.synchronized, WAIT).toBe(false);
  expect(observed.data).toBe("alive");
  expect(ports.links).toBe(0);
});

it("closes the upstream of a port for good when the parent goes, as a port cannot be redialed", async () => {
  const { ports } = parent();
  const { port1, port2 } = new MessageChannel();
  ports.accept(port1);
  const worker = startWorker({ port: port2 });
  await expect.poll(() => worker.reports, WAIT).toContainEqual({ kind: "status", status: "connected" });
  await ports.close();
  await expect.poll(() => worker.reports.filter((report) => report.kind === "status").at(-1), WAIT).toEqual({ kind: "status", status: "closed" });
});

it("relinks on a fresh port when the hub restarts, and resyncs the worker's observer without a gap", async () => {
  const first = parent("hub");
  const worker = startWorker({});
  let hub = first.ports;
  let given = 0;
  worker.worker.on("message", (report: WorkerReport) => {
    if (report.kind !== "want-port") return;
    const { port1, port2 } = new MessageChannel();
    hub.accept(port1, { peer: `worker port ${++given}` });
    worker.send({ kind: "port", port: port2 }, [port2]);
  });
  const exposed = first.node.object(["shared"], "counter").expose<number>();
  exposed.set(1);
  worker.send({ kind: "observe" });
  await expect.poll(() => worker.states().at(-1)?.data, WAIT).toBe(1);

  // The hub restarts: its listener goes, a new one takes the worker's next port.
  await first.ports.close();
  hub = listenPorts(first.node);
  await expect.poll(() => given, WAIT).toBe(2);
  await expect.poll(() => worker.reports.filter((report) => report.kind === "status").at(-1), WAIT).toEqual({ kind: "status", status: "connected" });
  exposed.set(2);
  await expect.poll(() => worker.states().at(-1)?.data, WAIT).toBe(2);
  expect(worker.states().at(-1)?.synchronized).toBe(true);
  // The observer kept its data throughout: no state without data between the links.
  const seen = worker.states();
  expect(seen.slice(seen.findIndex((state) => state?.data === 1)).every((state) => state !== undefined)).toBe(true);
});

it("links a node given a function that gives the port, in the same thread", async () => {
  const { node, ports } = parent();
  const child = testNode("child");
  const upstream = connectPort(child, async () => {
    const { port1, port2 } = new MessageChannel();
    ports.accept(port1);
    return port2;
  });
  child.object(["shared"], "counter").expose<string>().set("same thread");
  const observed = node.object(["shared"], "counter").observe<string>();
  await expect.poll(() => observed.data, WAIT).toBe("same thread");
  expect(upstream.url).toBe("message port");
});
