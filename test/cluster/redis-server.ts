/**
 * A real `redis-server` for tests: started on a free loopback port with no persistence (no dump or
 * append-only file, its working directory a temporary one removed at stop), and able to be killed,
 * restarted on the same port, paused and resumed, as the failure tests need.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** How a test's redis-server is set up beyond the defaults. */
export interface RedisServerOptions {
  /** Serve TLS only (no plain port), with this certificate and key (PEM files). */
  readonly tls?: { readonly certFile: string; readonly keyFile: string };
  /** Require this password (`requirepass`). */
  readonly password?: string;
}

/** A redis-server process the test owns. */
export class RedisServer {
  private child: ChildProcess | undefined;
  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly options: RedisServerOptions,
  ) {}

  /** Starts a redis-server on a free loopback port and resolves once it accepts connections. */
  static async start(options: RedisServerOptions = {}): Promise<RedisServer> {
    const dir = mkdtempSync(join(tmpdir(), "hakuban-redis-"));
    for (let attempt = 0; ; attempt++) {
      const server = new RedisServer(await freePort(), dir, options);
      try {
        await server.restart();
        return server;
      } catch (error) {
        if (attempt >= 4) {
          rmSync(dir, { recursive: true, force: true });
          throw error;
        }
      }
    }
  }

  /** `redis://127.0.0.1:PORT` (`rediss://` with TLS, with `:PASSWORD@` when one is required). */
  get url(): string {
    const { tls, password } = this.options;
    return `${tls === undefined ? "redis" : "rediss"}://${password === undefined ? "" : `:${password}@`}127.0.0.1:${this.port}`;
  }

  /** Whether the process runs (paused counts as running). */
  get running(): boolean {
    return this.child !== undefined;
  }

  /** Starts the process again on the same port (after kill()), empty: nothing was persisted. */
  async restart(): Promise<void> {
    if (this.child !== undefined) throw new Error("redis-server is already running");
    const { tls, password } = this.options;
    const listening = tls === undefined ? ["--port", String(this.port)] : ["--port", "0", "--tls-port", String(this.port), "--tls-cert-file", tls.certFile, "--tls-key-file", tls.keyFile, "--tls-auth-clients", "no"];
    const child = spawn(
      "redis-server",
      [...listening, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", this.dir, "--loglevel", "notice", ...(password === undefined ? [] : ["--requirepass", password])],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    this.child = child;
    let output = "";
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString("utf8");
        if (output.includes("Ready to accept connections")) {
          child.stdout!.off("data", onData);
          child.stdout!.resume();
          resolve();
        }
      };
      child.stdout!.on("data", onData);
      child.stderr!.resume();
      child.once("error", reject);
      child.once("exit", (code, signal) => {
        if (this.child === child) this.child = undefined;
        reject(new Error(`redis-server exited (${code ?? signal}) before it was ready: ${output.trim()}`));
      });
    });
  }

  /** Kills the process at once (SIGKILL: no goodbye to clients) and waits until it is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (child === undefined) return;
    this.child = undefined;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
  }

  /** Freezes the process (SIGSTOP): connections stay open, nothing is answered. */
  pause(): void {
    this.child?.kill("SIGSTOP");
  }

  /** Thaws a paused process (SIGCONT). */
  resume(): void {
    this.child?.kill("SIGCONT");
  }

  /** Kills the process and removes its working directory. */
  async stop(): Promise<void> {
    this.resume();
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A loopback port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}
