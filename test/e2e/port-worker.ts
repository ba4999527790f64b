/**
 * The worker side of port-link.test.ts: a node in a worker_threads worker, linked to the main thread's
 * node by a message port, driven by commands over `parentPort` and reporting what it sees there.
 * Bundled by the test (esbuild) and run with `eval`, so it needs no loader in the worker.
 */
import { type MessagePort, parentPort, workerData } from "node:worker_threads";
import { connectPort, type JsonValue, LocalNode, type ObjectExpose, type ObjectState } from "../../lib/index.js";

/** What the main thread tells the worker. */
export type WorkerCommand =
  | { readonly kind: "expose"; readonly data: JsonValue }
  | { readonly kind: "observe" }
  | { readonly kind: "port"; readonly port: MessagePort }
  | { readonly kind: "close" };

/** What the worker tells the main thread. */
export type WorkerReport =
  | { readonly kind: "state"; readonly state: ObjectState<JsonValue> | undefined }
  | { readonly kind: "status"; readonly status: string }
  | { readonly kind: "want-port" }
  | { readonly kind: "closed" };

/** How the worker links: the port it was started with, or a fresh one asked of the main thread for each link. */
export interface PortWorkerData {
  readonly port?: MessagePort;
  readonly keepAliveMs?: number;
}

const port = parentPort!;
const data = workerData as PortWorkerData;
const report = (message: WorkerReport): void => port.postMessage(message);
const node = new LocalNode({ name: "worker" });
const object = node.object(["shared"], "counter");
let exposed: ObjectExpose<JsonValue> | undefined;
let waiting: ((port: MessagePort) => void) | undefined;

const freshPort = (): Promise<MessagePort> =>
  new Promise((resolve) => {
    waiting = resolve;
    report({ kind: "want-port" });
  });
const upstream = connectPort(node, data.port ?? freshPort, {
  peer: "main thread",
  initialDelayMs: 10,
  maxDelayMs: 50,
  ...(data.keepAliveMs === undefined ? {} : { keepAliveMs: data.keepAliveMs }),
});
upstream.onStatus((status) => report({ kind: "status", status }));

port.on("message", (command: WorkerCommand) => {
  if (command.kind === "expose") (exposed ??= object.expose()).set(command.data);
  else if (command.kind === "observe") object.observe().onChange((state) => report({ kind: "state", state }));
  else if (command.kind === "port") waiting?.(command.port);
  else void node.close().then(() => report({ kind: "closed" }));
});
