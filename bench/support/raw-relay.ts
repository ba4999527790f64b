/**
 * The baseline relay: a bare `ws` server in its own process that forwards every message it receives,
 * unparsed and unchanged, to every other connected socket. It is the floor any router that relays
 * JSON Patches over WebSockets can be compared with: no state, no parsing, no election, one write per
 * message. `startRawRelay()` forks this file and returns its URL and a stop function.
 */
import { fork, type ChildProcess } from "node:child_process";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";

/** A running raw relay process. */
export interface RawRelay {
  readonly url: string;
  stop(): Promise<void>;
}

/** Forks a raw relay process and waits until it listens on 127.0.0.1. */
export async function startRawRelay(): Promise<RawRelay> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ["--serve"], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    child.once("error", reject);
    void exited.then(() => reject(new Error("the raw relay exited before it listened")));
    child.once("message", (message: { url: string }) => resolve(message.url));
  });
  return {
    url,
    async stop() {
      child.send("stop");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function serve(): Promise<void> {
  const { WebSocketServer } = await import("ws");
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });
  await new Promise<void>((resolve) => server.once("listening", resolve));
  server.on("connection", (socket) => {
    socket.on("message", (data: Buffer, isBinary: boolean) => {
      for (const peer of server.clients) if (peer !== socket) peer.send(data, { binary: isBinary });
    });
  });
  // Whatever happens to the bench (a crash, a kill), this process does not outlive it.
  process.once("disconnect", () => process.exit(0));
  process.on("message", () => {
    for (const socket of server.clients) socket.terminate();
    server.close(() => process.disconnect());
  });
  process.send!({ url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}` });
}

if (process.argv[2] === "--serve") await serve();
