// The hub of the shared-worker-hub example: a SharedWorker that every tab of the page's origin shares.
// Its node is the parent of every tab's node: what one tab exposes, the others observe through it.
// Built and served by serve.ts.
import { LocalNode, listenPorts } from "hakuban";
import { KEEP_ALIVE_MS } from "./keep-alive.js";

/** What a SharedWorker's global scope tells of each page that connects (the DOM library has no type for it). */
interface SharedWorkerScope {
  addEventListener(type: "connect", listener: (event: { readonly ports: readonly MessagePort[] }) => void): void;
}

const node = new LocalNode({ name: "hub" });
const hub = listenPorts(node, { keepAliveMs: KEEP_ALIVE_MS });
(self as unknown as SharedWorkerScope).addEventListener("connect", (event) => {
  for (const port of event.ports) hub.accept(port);
});
