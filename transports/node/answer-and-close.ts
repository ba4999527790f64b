import { STATUS_CODES } from "node:http";
import type { Duplex } from "node:stream";

/**
 * Answers a raw HTTP socket (one the HTTP server handed over for an upgrade, or one whose request never
 * completed) with `status` and a short plain-text body, then closes it once the answer is written. A
 * socket that can no longer be written is destroyed at once.
 */
export function answerAndClose(socket: Duplex, status: number, body: string, headers: Readonly<Record<string, string>> = {}): void {
  socket.on("error", () => socket.destroy());
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ""}`,
    "Connection: close",
    "Content-Type: text/plain; charset=utf-8",
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  socket.once("finish", () => socket.destroy());
  socket.end(`${lines.join("\r\n")}\r\n\r\n${body}`);
}
