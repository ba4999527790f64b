// Links between threads: a worker's node linked to the main thread's node by a message port, with the
// same protocol, checks and resync as over a WebSocket. This file is both: the main thread starts it
// again as its worker. Workers load JavaScript, so run it compiled:
// npx esbuild examples/worker-threads.ts --bundle --platform=node --format=esm --packages=external --outfile=dist/examples/worker-threads.mjs && node dist/examples/worker-threads.mjs
import { isMainThread, MessageChannel, type MessagePort, Worker, workerData } from "node:worker_threads";
import { filter, firstValueFrom } from "rxjs";
import { connectPort, listenPorts, LocalNode } from "hakuban";

interface Progress {
  readonly done: number;
}

if (isMainThread) {
  // The main thread's node is the parent: it accepts children over ports, here one end of a channel
  // whose other end goes to the worker.
  const node = new LocalNode({ name: "main" });
  const ports = listenPorts(node);
  const { port1, port2 } = new MessageChannel();
  ports.accept(port1, { peer: "worker" });
  const worker = new Worker(new URL(import.meta.url), { workerData: { port: port2 }, transferList: [port2] });

  // What the worker exposes, the main thread observes.
  const progress = node.object(["jobs"], { job: 1 }).observe<Progress>();
  const done = await firstValueFrom(progress.state$.pipe(filter((s) => s?.synchronized === true && s.data.done === 100)));
  console.log(`main thread sees: ${JSON.stringify(done?.data)}`);

  // A worker that ends is noticed at once (its port closes): observers keep the data, unsynchronized.
  await worker.terminate();
  const gone = await firstValueFrom(progress.state$.pipe(filter((s) => s?.synchronized === false)));
  console.log(`after the worker ended: ${JSON.stringify(gone?.data)} synchronized=${gone?.synchronized}`);
  await node.close();
} else {
  // The worker's node links to the main thread by the port it was given, and exposes its progress.
  const node = new LocalNode({ name: "worker" });
  connectPort(node, (workerData as { port: MessagePort }).port);
  const progress = node.object(["jobs"], { job: 1 }).expose<Progress>();
  for (let done = 0; done <= 100; done += 25) progress.set({ done });
}
