/**
 * A benchmark helper process driven over IPC, with the request/reply shape `router-process.ts` uses:
 * the child announces `{ type: "ready", ... }`, the parent sends `{ id, type, ... }`, the child answers
 * `{ id, value }` (or `{ id, error }`). `forkIpcChild` is the parent's side, `serveIpc` the child's.
 * A child whose parent goes away stops itself, so a crashed benchmark leaves no process behind.
 */
import { fork, type ChildProcess } from "node:child_process";

/** A request to a child: `type` names it, the other fields are its arguments. */
export interface IpcRequest {
  readonly id: number;
  readonly type: string;
  readonly [field: string]: unknown;
}

type Reply = { readonly id: number; readonly value?: unknown; readonly error?: string } | { readonly type: "ready"; readonly [field: string]: unknown };

/** The parent's handle on a running child. */
export interface IpcChild {
  /** The fields of the child's ready message. */
  readonly ready: Readonly<Record<string, unknown>>;
  /** Sends a request and resolves with the child's answer; rejects if the child fails it or exits. */
  ask<T>(type: string, fields?: Readonly<Record<string, unknown>>): Promise<T>;
  /** Asks the child to stop and waits for it to exit, killing it if it does not within a few seconds. */
  stop(): Promise<void>;
}

/** Thrown when a benchmark child process exits or fails before it answers. */
export class IpcChildError extends Error {
  constructor(file: string, problem: string) {
    super(`benchmark child ${file}: ${problem}; see its output above`);
    this.name = "IpcChildError";
  }
}

const STOP_GRACE_MS = 5_000;

/** Forks `file` with `args` and Node flags `execArgv`, and waits for its ready message. */
export async function forkIpcChild(file: string, args: readonly string[], execArgv: readonly string[]): Promise<IpcChild> {
  const child: ChildProcess = fork(file, args, { execArgv: [...execArgv], stdio: ["ignore", "inherit", "inherit", "ipc"], serialization: "advanced" });
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once("exit", (code, signal) => {
      exited = true;
      for (const { reject } of pending.values()) reject(new IpcChildError(file, `exited (code ${code}, signal ${signal})`));
      pending.clear();
      resolve();
    }),
  );
  const ready = await new Promise<Readonly<Record<string, unknown>>>((resolve, reject) => {
    child.once("error", reject);
    void exit.then(() => reject(new IpcChildError(file, "exited before it was ready")));
    child.on("message", (message: Reply) => {
      if ("type" in message) return resolve(message);
      const waiting = pending.get(message.id);
      pending.delete(message.id);
      if (message.error !== undefined) waiting?.reject(new IpcChildError(file, message.error));
      else waiting?.resolve(message.value);
    });
  }).catch(async (error: unknown) => {
    child.kill("SIGKILL");
    await exit;
    throw error;
  });
  let nextId = 1;
  const ask = <T>(type: string, fields: Readonly<Record<string, unknown>> = {}) =>
    new Promise<T>((resolve, reject) => {
      if (exited) return reject(new IpcChildError(file, "has exited"));
      const id = nextId++;
      pending.set(id, { resolve: (value) => resolve(value as T), reject });
      child.send({ ...fields, id, type } satisfies IpcRequest);
    });
  return {
    ready,
    ask,
    async stop() {
      if (exited) return;
      const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
      await ask("stop").catch(() => undefined);
      await exit;
      clearTimeout(timer);
    },
  };
}

/**
 * The child's side: announces `ready`, answers requests with `answer`, and on a "stop" request (or
 * when the parent goes away) runs `stop`, acknowledges, and exits.
 */
export function serveIpc(
  ready: Readonly<Record<string, unknown>>,
  answer: (request: IpcRequest) => unknown,
  stop: () => Promise<void>,
): void {
  const send = process.send?.bind(process);
  if (send === undefined) throw new Error("serveIpc: this process was not forked with an IPC channel");
  let stopping = false;
  const shutdown = async (id: number | undefined) => {
    if (stopping) return;
    stopping = true;
    await stop().catch((error: unknown) => console.error(error));
    if (id !== undefined && process.connected) send({ id, value: null }, undefined, undefined, () => process.exit(0));
    else process.exit(0);
  };
  process.on("disconnect", () => void shutdown(undefined));
  process.on("message", async (request: IpcRequest) => {
    if (request.type === "stop") return shutdown(request.id);
    try {
      send({ id: request.id, value: await answer(request) });
    } catch (error) {
      send({ id: request.id, error: error instanceof Error ? error.message : String(error) });
    }
  });
  send({ type: "ready", ...ready });
}
