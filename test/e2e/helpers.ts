import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { filter, firstValueFrom, type Observable } from "rxjs";
import type { Upstream, UpstreamStatus } from "../../lib/net/connect.js";

/** The project root, for spawning scripts with `node --import tsx`. */
export const root = fileURLToPath(new URL("../..", import.meta.url));

/** Resolves once `upstream` reaches `status`. */
export function status(upstream: Upstream, wanted: UpstreamStatus): Promise<UpstreamStatus> {
  return firstValueFrom(upstream.status$.pipe(filter((status) => status === wanted)));
}

/** Resolves with the first value of `source` that satisfies `predicate`. */
export function first<T>(source: Observable<T>, predicate: (value: T) => boolean): Promise<T> {
  return firstValueFrom(source.pipe(filter(predicate)));
}

/** A script run as a child process with its output collected line by line. */
export class ScriptProcess {
  readonly child: ChildProcess;
  readonly lines: string[] = [];
  readonly stderr: string[] = [];
  /** Resolves with the exit code (or the signal's name) once the process is gone. */
  readonly exited: Promise<number | string>;
  readonly #waiters: Array<{ pattern: RegExp; resolve: (line: string) => void }> = [];

  /** With `stdin: "pipe"`, the test writes the script's stdin through `child.stdin`. */
  constructor(script: string, args: readonly string[], options: { readonly stdin?: "pipe" } = {}) {
    this.child = spawn(process.execPath, ["--import", "tsx", script, ...args], { cwd: root, stdio: [options.stdin ?? "ignore", "pipe", "pipe"] });
    this.#collect(this.child.stdout!, this.lines);
    this.#collect(this.child.stderr!, this.stderr);
    this.exited = new Promise((resolve) => this.child.once("close", (code, signal) => resolve(code ?? signal ?? "unknown")));
  }

  /** Resolves with the first output line (stdout or stderr, past or future) matching `pattern`. */
  waitFor(pattern: RegExp): Promise<string> {
    const seen = [...this.lines, ...this.stderr].find((line) => pattern.test(line));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve) => this.#waiters.push({ pattern, resolve }));
  }

  /** Kills the process if it still runs (for afterEach), and waits until it is gone. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
    await this.exited;
  }

  #collect(stream: NodeJS.ReadableStream, into: string[]): void {
    let partial = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      const parts = (partial + chunk).split("\n");
      partial = parts.pop() ?? "";
      for (const line of parts) this.#line(line, into);
    });
    stream.on("end", () => {
      if (partial !== "") this.#line(partial, into);
    });
  }

  #line(line: string, into: string[]): void {
    into.push(line);
    for (const waiter of [...this.#waiters]) {
      if (!waiter.pattern.test(line)) continue;
      this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
      waiter.resolve(line);
    }
  }
}

/** Resolves once `done()` holds, looking again after each turn of the event loop. */
export async function until(done: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await done())) await new Promise<void>((resolve) => setImmediate(resolve));
}
