/**
 * The page of message-ports.test.ts: a parent node in a browser page, linked by ports to two Web
 * Workers (port-worker.ts): one through a MessageChannel whose port it posted to the worker, one
 * through the Worker object itself. What the page sees goes to `document.body.dataset`.
 */
import { listenPorts, LocalNode } from "../../lib/index.js";

const keepAliveMs = 250;
const node = new LocalNode({ name: "page" });
const ports = listenPorts(node, { keepAliveMs });
const channelWorker = new Worker("worker.js?channel");
const { port1, port2 } = new MessageChannel();
ports.accept(port1, { peer: "channel worker" });
channelWorker.postMessage(port2, [port2]);
const directWorker = new Worker("worker.js?direct");
ports.accept(directWorker, { peer: "direct worker" });

node.object(["browser"], "from page").expose<string>().set("hello workers");
for (const name of ["channel", "direct"]) {
  node
    .object(["browser"], `from the ${name} worker`)
    .observe<string>()
    .onChange((state) => {
      document.body.dataset[name] = state === undefined ? "" : `${state.data}${state.synchronized ? "" : " (unsynchronized)"}`;
    });
}
document.body.dataset.links = "0";
setInterval(() => (document.body.dataset.links = String(ports.links)), 20);
/** Lets the test end the channel worker without telling anyone. */
(globalThis as { terminateChannelWorker?: () => void }).terminateChannelWorker = () => channelWorker.terminate();
