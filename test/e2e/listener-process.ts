// A listener in a process of its own, for tests that measure its memory while clients attack it.
// Argument: the listen options as JSON (port 0 is added). Writes "<severity> <line>" per log line to
// stdout (the first is "info listening on ws://…"); answers the IPC message "memory" with
// process.memoryUsage() after garbage collections (run it with --expose-gc): two, a turn of the event loop
// apart, so memory freed by the first is no longer counted.
import { LocalNode, listen, type ListenOptions } from "../../lib/node-entry.js";

const options = JSON.parse(process.argv[2] ?? "{}") as Omit<ListenOptions, "port" | "log">;
const node = new LocalNode({ name: "listener-process" });
await listen(node, { ...options, port: 0, log: (line, severity) => process.stdout.write(`${severity ?? "info"} ${line}\n`) });
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
process.on("message", (message) => {
  if (message !== "memory") return;
  gc();
  setImmediate(() => {
    gc();
    process.send?.(process.memoryUsage());
  });
});
process.on("disconnect", () => void node.close().then(() => process.exit(0)));
