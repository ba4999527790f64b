/**
 * A benchmark client in its own process, driven over IPC: it links to a relay (a hakuban router, or the
 * raw `ws` relay of `raw-relay.ts` for the baseline), exposes or observes many objects, and pushes
 * one-field updates round-robin across them. Both transports do the same work per update on the client
 * side that the bench controls (one new object state per update; the observer keeps the latest state per
 * object), so a rate measured through one is comparable with the other.
 *
 * `startScaleClient(transport)` forks this file; the returned handle sends commands and relays the
 * observer's delivery counts (`onProgress`) so the bench can keep a bounded window of updates in flight.
 */
import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { ObjectExpose } from "../../lib/index.js";
import { libraryEntry, loadHakuban } from "./library-entry.js";
import { profileFlags } from "./profile-flags.js";

/** Which relay the client talks to. */
export type ScaleTransport = "hakuban" | "raw";

/** The data of every bench object: `n` is the one field the updates change. */
export interface ScaleObject {
  readonly n: number;
  readonly pad: string;
}

/** A command for the client process. Object ids are `[from, from + count)`; object `id` is keyed by the tag and the id. */
export type ScaleCommand =
  | { readonly cmd: "connect"; readonly url: string }
  | { readonly cmd: "expose"; readonly tag: string; readonly from: number; readonly count: number; readonly padding: number }
  | { readonly cmd: "observeTag"; readonly tag: string; readonly count: number }
  | { readonly cmd: "observeObjects"; readonly tag: string; readonly from: number; readonly count: number }
  | { readonly cmd: "update"; readonly from: number; readonly count: number }
  | { readonly cmd: "resetDelivered" }
  | { readonly cmd: "memory" };

/** What `memory` answers: the client's own heap and RSS after a full GC. */
export interface ClientMemory {
  readonly rss: number;
  readonly heapUsed: number;
}

/** A running client process. */
export interface ScaleClient {
  /** Sends one command; resolves with its answer once the client has done it. */
  send<T = unknown>(command: ScaleCommand): Promise<T>;
  /** Calls `callback` with the observer's running count of delivered updates (sent every PROGRESS_EVERY). */
  onProgress(callback: (delivered: number) => void): void;
  /** Closes the client's links and ends the process. Safe to call more than once. */
  stop(): Promise<void>;
}

/** The observer reports its delivery count every this many deliveries. */
export const PROGRESS_EVERY = 250;

type Request = { readonly id: number; readonly command: ScaleCommand | { readonly cmd: "stop" } };
type Reply =
  | { readonly id: number; readonly value?: unknown; readonly error?: string }
  | { readonly type: "ready" }
  | { readonly type: "progress"; readonly delivered: number };

/** Forks a client process for `transport` and waits until it is ready for commands. */
export async function startScaleClient(transport: ScaleTransport, name = "bench-client"): Promise<ScaleClient> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ["--serve", transport, name, await libraryEntry()], {
    execArgv: ["--expose-gc", ...profileFlags("client"), "--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let progress: (delivered: number) => void = () => undefined;
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once("exit", (code) => {
      exited = true;
      for (const { reject } of pending.values()) reject(new Error(`client ${name} exited (code ${code})`));
      pending.clear();
      resolve();
    }),
  );
  await new Promise<void>((resolve, reject) => {
    child.once("error", reject);
    void exit.then(() => reject(new Error(`client ${name} exited before it was ready`)));
    child.on("message", (message: Reply) => {
      if ("type" in message) {
        if (message.type === "ready") resolve();
        else progress(message.delivered);
        return;
      }
      const waiter = pending.get(message.id);
      pending.delete(message.id);
      if (message.error !== undefined) waiter?.reject(new Error(`client ${name}: ${message.error}`));
      else waiter?.resolve(message.value);
    });
  });
  let nextId = 1;
  const ask = <T>(command: Request["command"]) =>
    new Promise<T>((resolve, reject) => {
      if (exited) return reject(new Error(`client ${name} has exited`));
      const id = nextId++;
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      child.send({ id, command } satisfies Request);
    });
  return {
    send: (command) => ask(command),
    onProgress(callback) {
      progress = callback;
    },
    async stop() {
      if (exited) return;
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await ask({ cmd: "stop" }).catch(() => undefined);
      await exit;
      clearTimeout(timer);
    },
  };
}

/** The client side of one transport: what a command does there. */
interface Side {
  connect(url: string): Promise<void>;
  expose(tag: string, from: number, count: number, padding: number): void;
  observeTag(tag: string, count: number, delivered: () => void): Promise<void>;
  observeObjects(tag: string, from: number, count: number, delivered: () => void): Promise<void>;
  update(from: number, count: number): void;
  close(): Promise<void>;
}

async function hakubanSide(name: string, entry: string): Promise<Side> {
  const { LocalNode, connect } = await loadHakuban(entry);
  const { filter, firstValueFrom } = await import("rxjs");
  const node = new LocalNode({ name });
  const exposers: ObjectExpose<ScaleObject>[] = [];
  const states: ScaleObject[] = [];
  const keep: unknown[] = [];
  let upstream: ReturnType<typeof connect> | undefined;
  /** Resolves once `count` objects have a synchronized state. */
  const awaitCount = (count: number) => {
    let seen = 0;
    let done: () => void = () => undefined;
    const all = new Promise<void>((resolve) => (done = resolve));
    return { all, see: () => ++seen === count && done() };
  };
  return {
    async connect(url) {
      upstream = connect(node, url);
      await firstValueFrom(upstream.status$.pipe(filter((status) => status === "connected")));
    },
    expose(tag, from, count, padding) {
      for (let id = from; id < from + count; id++) {
        const expose = node.object([tag], { id }).expose<ScaleObject>();
        const state = { n: 0, pad: "x".repeat(padding) };
        expose.set(state);
        exposers[id] = expose;
        states[id] = state;
      }
    },
    async observeTag(tag, count, delivered) {
      const synced = new Set<string>();
      const waiting = awaitCount(count);
      const observer = node.tag(tag).observe<ScaleObject>();
      observer.onChange(({ descriptor, state }) => {
        if (state?.synchronized && !synced.has(descriptor.key)) {
          synced.add(descriptor.key);
          waiting.see();
        } else if (state?.synchronized) delivered();
      });
      keep.push(observer);
      await waiting.all;
    },
    async observeObjects(tag, from, count, delivered) {
      const waiting = awaitCount(count);
      for (let id = from; id < from + count; id++) {
        const observer = node.object([tag], { id }).observe<ScaleObject>();
        let first = true;
        observer.onChange((state) => {
          if (!state?.synchronized) return;
          if (first) {
            first = false;
            waiting.see();
          } else delivered();
        });
        keep.push(observer);
      }
      await waiting.all;
    },
    update(from, count) {
      const objects = exposers.length;
      for (let seq = from; seq < from + count; seq++) {
        const id = seq % objects;
        const next = { n: seq + 1, pad: states[id]!.pad };
        states[id] = next;
        exposers[id]!.set(next);
      }
    },
    async close() {
      await upstream?.close();
      await node.close();
    },
  };
}

/**
 * The baseline's client: a `ws` socket to the raw relay. An exposer sends each object's full state
 * once, then one message per update carrying a one-operation JSON Patch built directly (no diffing);
 * an observer parses each message and applies the patch to its copy of the object.
 */
async function rawSide(): Promise<Side> {
  const { WebSocket } = await import("ws");
  let socket: InstanceType<typeof WebSocket> | undefined;
  const keys: string[] = [];
  const objects = new Map<string, Record<string, unknown>>();
  let onMessage: (text: string) => void = () => undefined;
  /** The relay forwards everything to everyone, so an observer follows all objects it hears of. */
  const observeAll = (count: number, delivered: () => void) =>
    new Promise<void>((resolve) => {
      onMessage = (text) => {
        const message = JSON.parse(text) as { k: string; s?: Record<string, unknown>; p?: { op: string; path: string; value: unknown }[] };
        if (message.s) {
          objects.set(message.k, message.s);
          if (objects.size === count) resolve();
          return;
        }
        const object = objects.get(message.k);
        if (!object || !message.p) return;
        for (const op of message.p) if (op.op === "replace") object[op.path.slice(1)] = op.value;
        delivered();
      };
    });
  return {
    async connect(url) {
      const ws = new WebSocket(url, { perMessageDeflate: false });
      await new Promise<void>((resolve, reject) => {
        ws.once("open", resolve);
        ws.once("error", reject);
      });
      ws.on("message", (data: Buffer) => onMessage(data.toString()));
      socket = ws;
    },
    expose(tag, from, count, padding) {
      for (let id = from; id < from + count; id++) {
        const key = JSON.stringify([tag, id]);
        keys[id] = key;
        socket!.send(JSON.stringify({ k: key, s: { n: 0, pad: "x".repeat(padding) } }));
      }
    },
    observeTag: (_tag, count, delivered) => observeAll(count, delivered),
    observeObjects: (_tag, _from, count, delivered) => observeAll(count, delivered),
    update(from, count) {
      const total = keys.length;
      for (let seq = from; seq < from + count; seq++) {
        socket!.send(JSON.stringify({ k: keys[seq % total], p: [{ op: "replace", path: "/n", value: seq + 1 }] }));
      }
    },
    async close() {
      if (!socket) return;
      const closed = new Promise<void>((resolve) => socket!.once("close", () => resolve()));
      socket.close();
      await closed;
    },
  };
}

async function serve(transport: ScaleTransport, name: string, entry: string): Promise<void> {
  const side = transport === "raw" ? await rawSide() : await hakubanSide(name, entry);
  let delivered = 0;
  const count = () => {
    if (++delivered % PROGRESS_EVERY === 0) process.send!({ type: "progress", delivered } satisfies Reply);
  };
  // Whatever happens to the bench (a crash, a kill), this process does not outlive it.
  process.once("disconnect", () => process.exit(0));
  process.on("message", async ({ id, command }: Request) => {
    try {
      let value: unknown = null;
      switch (command.cmd) {
        case "connect":
          await side.connect(command.url);
          break;
        case "expose":
          side.expose(command.tag, command.from, command.count, command.padding);
          break;
        case "observeTag":
          await side.observeTag(command.tag, command.count, count);
          break;
        case "observeObjects":
          await side.observeObjects(command.tag, command.from, command.count, count);
          break;
        case "update":
          side.update(command.from, command.count);
          break;
        case "resetDelivered":
          delivered = 0;
          break;
        case "memory": {
          globalThis.gc?.();
          const { rss, heapUsed } = process.memoryUsage();
          value = { rss, heapUsed } satisfies ClientMemory;
          break;
        }
        case "stop":
          await side.close();
          process.send!({ id, value: null } satisfies Reply);
          process.disconnect();
          return;
      }
      process.send!({ id, value } satisfies Reply);
    } catch (error) {
      process.send!({ id, error: String(error) } satisfies Reply);
    }
  });
  process.send!({ type: "ready" } satisfies Reply);
}

if (process.argv[2] === "--serve") await serve(process.argv[3] === "raw" ? "raw" : "hakuban", process.argv[4]!, process.argv[5]!);
