/**
 * A Web Worker of message-ports.test.ts: a child node that links to the page by the port the page
 * posts it (`?channel`) or by its own global scope (`?direct`), observes what the page exposes and
 * answers with an object of its own.
 */
import { connectPort, LocalNode, type MessagePortLike } from "../../lib/index.js";

const name = location.search.slice(1);
const node = new LocalNode({ name: `${name} worker` });

function link(port: MessagePortLike): void {
  connectPort(node, port, { keepAliveMs: 250 });
  const answer = node.object(["browser"], `from the ${name} worker`).expose<string>();
  node
    .object(["browser"], "from page")
    .observe<string>()
    .onChange((state) => {
      if (state?.synchronized) answer.set(`the ${name} worker saw: ${state.data}`);
    });
}

if (name === "direct") link(self as unknown as MessagePortLike);
else self.addEventListener("message", (event) => link((event as MessageEvent<MessagePort>).data), { once: true });
