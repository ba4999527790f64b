// Networking: two nodes linked over a WebSocket. A parent listens, a child connects; contracts on
// either node take part in both. The same import works in Node and in browser bundles.
// Run: npx tsx examples/networking.ts
import { filter, firstValueFrom } from "rxjs";
import { LocalNode, connect, listen } from "hakuban";

export async function networking(log: (line: string) => void = console.log): Promise<void> {
  // A parent node accepts child nodes on a WebSocket (port 0 picks a free port; a router CLI does the same).
  const parent = new LocalNode({ name: "parent" });
  const server = await listen(parent, { port: 0 });

  // A child node links to it. status$ says "connected" once the parent has welcomed it; the link
  // redials with backoff after losing the connection and resyncs.
  const child = new LocalNode({ name: "child" });
  const upstream = connect(child, server.url);
  upstream.status$.subscribe((status) => log(`upstream: ${status}`));

  // Expose on the parent, observe on the child: the data crosses the link.
  const greeting = parent.object(["demo"], { name: "greeting" }).expose<string>();
  greeting.set("hello over the network");
  const observer = child.object(["demo"], { name: "greeting" }).observe<string>();
  const state = await firstValueFrom(observer.state$.pipe(filter((s) => s?.synchronized === true)));
  log(`child sees: ${state?.data}`);

  await child.close(); // closes its upstream too
  await parent.close(); // closes the listener and its links
}

if (import.meta.url === `file://${process.argv[1]}`) await networking();
