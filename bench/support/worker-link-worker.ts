/**
 * The worker_threads side of bench/worker-link.ts, bundled by it with esbuild and run with `eval`. By
 * `workerData.mode`:
 * - "echo": one node linked to the main thread (by the port given, or a WebSocket to the URL given)
 *   answers each version of the object "ping" by exposing "pong" with the same data (a round trip);
 * - "observers": one node per port (or K WebSocket links) observing the object "fan", counting the
 *   distinct versions each saw; on "report" it posts the total and zeroes it;
 * - "raw": posts every message of its port back as it came (the floor of a port's round trip).
 * Each mode posts "ready" once its nodes are linked.
 */
import { type MessagePort, parentPort, workerData } from "node:worker_threads";
import { connect, connectPort, LocalNode, type Upstream } from "../../lib/node-entry.js";

/** How the main thread starts a worker. */
export type WorkerLinkData =
  | { readonly mode: "echo"; readonly port?: MessagePort; readonly url?: string }
  | { readonly mode: "observers"; readonly ports?: readonly MessagePort[]; readonly url?: string; readonly count: number }
  | { readonly mode: "raw"; readonly port: MessagePort };

const data = workerData as WorkerLinkData;
const main = parentPort!;

/** A node linked to the main thread by `port`, or by a WebSocket to `url`. */
function linked(name: string, port: MessagePort | undefined, url: string | undefined): { node: LocalNode; upstream: Upstream } {
  const node = new LocalNode({ name });
  const upstream = port === undefined ? connect(node, url!) : connectPort(node, port);
  return { node, upstream };
}

/** Posts "ready" once every upstream is connected. */
function readyWhen(upstreams: readonly Upstream[]): void {
  let waiting = upstreams.length;
  for (const upstream of upstreams) {
    const done = upstream.onStatus((status) => {
      if (status !== "connected") return;
      done();
      if (--waiting === 0) main.postMessage("ready");
    });
  }
}

if (data.mode === "raw") {
  data.port.on("message", (message: Uint8Array) => data.port.postMessage(message));
  main.postMessage("ready");
} else if (data.mode === "echo") {
  const { node, upstream } = linked("echo", data.port, data.url);
  const pong = node.object(["bench"], "pong").expose<number>();
  node
    .object(["bench"], "ping")
    .observe<number>()
    .onChange((state) => {
      if (state?.synchronized) pong.set(state.data);
    });
  readyWhen([upstream]);
} else {
  let seen = 0;
  const upstreams = Array.from({ length: data.count }, (_, index) => {
    const { node, upstream } = linked(`observer ${index}`, data.ports?.[index], data.url);
    node
      .object(["bench"], "fan")
      .observe<{ n: number }>()
      .onChange((state) => {
        if (state?.synchronized) seen++;
      });
    return upstream;
  });
  main.on("message", (message: string) => {
    if (message !== "report") return;
    main.postMessage(seen);
    seen = 0;
  });
  readyWhen(upstreams);
}
