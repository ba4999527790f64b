import { readFile } from "node:fs/promises";
import { HakubanError } from "../errors/hakuban-error.js";
import { LocalNode } from "../local-node/local-node.js";
import { connect } from "../net/node/connect.js";
import { CliFileError } from "./cli-file-error.js";
import { type CliIo, EXIT_FAILURE, EXIT_OK } from "./cli-io.js";
import type { CliLinkOptions, CliToken } from "./cli-options.js";

/** The code of the error a parent's refusal leaves as the upstream's lastError (LinkRefusedError). */
const LINK_REFUSED = "LINK_REFUSED";
/** The code of the error a parent's denial of a contract's access is (AccessDeniedError). */
const ACCESS_DENIED = "ACCESS_DENIED";

/**
 * A command's node and its link to the parent, which says on stderr how the link goes (connecting,
 * connected, each failure with its reason) and decides how the command ends: a signal ends it with
 * exit code 0; a refusal by the parent (a bad token, another protocol version), or with --no-retry a
 * parent that cannot be reached or is lost, with exit code 1.
 */
export class ParentLink {
  readonly node: LocalNode;
  readonly #io: CliIo;
  readonly #failed: Promise<string>;
  #closing = false;

  private constructor(options: CliLinkOptions, token: (() => Promise<string>) | string | undefined, io: CliIo) {
    this.#io = io;
    this.node = new LocalNode({ name: options.name });
    // What the node reports goes to stderr as one line: a denial (said by reportDenials, so skipped here)
    // or an exception in a command's own callbacks.
    this.node.onError(({ error, context }) => {
      if (error instanceof HakubanError && error.code === ACCESS_DENIED) return;
      io.err(`hakuban: ${context}: ${error instanceof Error ? error.message : String(error)}\n`);
    });
    const upstream = connect(this.node, options.url, {
      reconnect: options.retry,
      ...(token === undefined ? {} : { token }),
      log: (line, severity) => {
        if (severity !== "debug") io.err(`hakuban: ${line}\n`);
      },
    });
    this.#failed = new Promise((resolve) => {
      const stop = upstream.onStatus((status) => {
        const error = upstream.lastError;
        const refused = error instanceof HakubanError && error.code === LINK_REFUSED;
        if ((status === "disconnected" && refused) || (status === "closed" && !this.#closing)) {
          stop();
          resolve(error?.message ?? "the link to the parent closed");
        }
      });
    });
  }

  /**
   * Makes the command's node and links it to the parent. Throws CliFileError when `--token-file`
   * cannot be read or is empty (it is read again at each dial, so a rotated token is picked up).
   */
  static async open(options: CliLinkOptions, io: CliIo): Promise<ParentLink> {
    const { token } = options;
    if (token?.kind === "file") await readToken(token);
    return new ParentLink(options, token === undefined ? undefined : token.kind === "value" ? token.token : () => readToken(token), io);
  }

  /**
   * Resolves with the command's exit code once it should end: 0 when SIGINT or SIGTERM aborted the
   * signal or `done` resolved, 1 when the link failed for good (said on stderr). Closes the node first.
   */
  async end(done: Promise<void> = new Promise(() => {})): Promise<number> {
    const { signal } = this.#io;
    let onAbort = (): void => {};
    const aborted = new Promise<void>((resolve) => {
      onAbort = resolve;
      if (signal.aborted) resolve();
      else signal.addEventListener("abort", onAbort, { once: true });
    });
    const failure = await Promise.race([this.#failed, aborted.then(() => undefined), done.then(() => undefined)]);
    signal.removeEventListener("abort", onAbort);
    this.#closing = true;
    await this.node.close();
    if (failure === undefined) return EXIT_OK;
    this.#io.err(`hakuban: ${failure}\n`);
    return EXIT_FAILURE;
  }
}

/** The token in a `--token-file`, without the one trailing newline editors and `echo` leave. */
async function readToken(token: Extract<CliToken, { kind: "file" }>): Promise<string> {
  let text: string;
  try {
    text = await readFile(token.path, "utf8");
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CliFileError(`--token-file ${token.path}: cannot read the token (${reason}); check the path and that you may read it.`, { cause: error });
  }
  const value = text.replace(/\r?\n$/, "");
  if (value === "") throw new CliFileError(`--token-file ${token.path}: the file is empty; put the token in it.`);
  return value;
}
