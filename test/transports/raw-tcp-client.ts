import { connect, type Socket } from "node:net";

/**
 * A TCP client that speaks HTTP and WebSocket by hand, for what well-behaved clients never do: stay
 * silent, stop in the middle of the headers, send a malformed request, or start a message it never
 * finishes. It records what the server answers and when the server closes.
 */
export class RawTcpClient {
  readonly socket: Socket;
  /** How a listener names this client: "ws://127.0.0.1:<this end's port>" (read while connected: a closed socket has no port). */
  readonly peer: string;
  /** Resolves once the server (or this client) closed the connection. */
  readonly closed: Promise<void>;
  #received = Buffer.alloc(0);
  #ended = false;
  readonly #waiters = new Set<() => void>();

  private constructor(socket: Socket) {
    this.socket = socket;
    this.peer = `ws://127.0.0.1:${socket.localPort}`;
    socket.on("data", (chunk: Buffer) => {
      this.#received = Buffer.concat([this.#received, chunk]);
      this.#wake();
    });
    socket.on("error", () => {});
    this.closed = new Promise((resolve) =>
      socket.once("close", () => {
        this.#ended = true;
        this.#wake();
        resolve();
      }),
    );
  }

  /**
   * Connects to 127.0.0.1:`port`. With `holdOpen`, this end stays open when the server ends its side,
   * as a peer that never answers a close would.
   */
  static open(port: number, options: { readonly holdOpen?: boolean } = {}): Promise<RawTcpClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host: "127.0.0.1", allowHalfOpen: options.holdOpen ?? false });
      socket.once("error", reject);
      socket.once("connect", () => {
        socket.off("error", reject);
        resolve(new RawTcpClient(socket));
      });
    });
  }

  /** Everything the server sent, as Latin-1 text (HTTP answers read as they are). */
  get text(): string {
    return this.#received.toString("latin1");
  }

  get isClosed(): boolean {
    return this.#ended;
  }

  /** Sends a WebSocket upgrade request for `path`; `headers` replace or drop (undefined) the usual ones. */
  requestUpgrade(path = "/", headers: Readonly<Record<string, string | undefined>> = {}): void {
    const all: Record<string, string | undefined> = {
      Host: "127.0.0.1",
      Upgrade: "websocket",
      Connection: "Upgrade",
      "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
      "Sec-WebSocket-Version": "13",
      ...headers,
    };
    const lines = Object.entries(all).flatMap(([name, value]) => (value === undefined ? [] : [`${name}: ${value}`]));
    this.socket.write(`GET ${path} HTTP/1.1\r\n${lines.join("\r\n")}\r\n\r\n`);
  }

  /** Upgrades to WebSocket and resolves once the server switched protocols. */
  async upgrade(path = "/"): Promise<void> {
    this.requestUpgrade(path);
    await this.until(() => this.text.includes("\r\n\r\n"));
    if (!this.text.startsWith("HTTP/1.1 101 ")) throw new Error(`the upgrade was answered ${this.text.split("\r\n")[0]}`);
  }

  /** Starts a binary WebSocket message (one masked frame) that declares `length` payload bytes. */
  startMessage(length: number): void {
    const header = Buffer.alloc(14);
    header[0] = 0x82; // FIN, binary
    header[1] = 0x80 | 127; // masked, 64-bit length
    header.writeBigUInt64BE(BigInt(length), 2);
    header.writeUInt32BE(0x01020304, 10); // the mask
    this.socket.write(header);
  }

  /** The close code of the WebSocket close frame the server sent, once one arrived. */
  get closeCode(): number | undefined {
    const response = this.#received.indexOf("\r\n\r\n");
    if (response === -1) return undefined;
    const frames = this.#received.subarray(response + 4);
    return frames[0] === 0x88 && frames.length >= 4 ? frames.readUInt16BE(2) : undefined;
  }

  /** Resolves once `done()` holds, checked whenever the server sends or closes. */
  until(done: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (!done()) return;
        this.#waiters.delete(check);
        resolve();
      };
      this.#waiters.add(check);
      check();
    });
  }

  /** Closes this end at once. */
  destroy(): void {
    this.socket.destroy();
  }

  #wake(): void {
    for (const waiter of [...this.#waiters]) waiter();
  }
}
