// A node linked to a listener from a process of its own, so that the listener's process can be stalled
// while this one keeps its own event loop (and its keep-alive) running. Arguments: the listener's URL and
// the connect options as JSON. Writes "status <status>" per status change of its upstream.
import { LocalNode, connect, type ConnectOptions } from "../../lib/node-entry.js";

const [url, options] = [process.argv[2] ?? "", JSON.parse(process.argv[3] ?? "{}") as ConnectOptions];
const node = new LocalNode({ name: "linked-child" });
connect(node, url, options).status$.subscribe((status) => process.stdout.write(`status ${status}\n`));
