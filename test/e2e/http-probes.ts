import { type IncomingMessage, request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { WebSocket } from "ws";

/** A plain HTTP answer, read in full. */
export interface HttpAnswer {
  readonly status: number | undefined;
  readonly headers: IncomingMessage["headers"];
  readonly body: string;
}

/** One plain request to `url` (http: or https:, trusting `ca`), on a connection of its own, answered in full. */
export function fetchText(url: string, options: { readonly method?: string; readonly ca?: string } = {}): Promise<HttpAnswer> {
  const request = url.startsWith("https:") ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    request(url, { agent: false, method: options.method ?? "GET", ...(options.ca === undefined ? {} : { ca: options.ca }) }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () => resolve({ status: response.statusCode, headers: response.headers, body }));
    })
      .on("error", reject)
      .end();
  });
}

/**
 * Opens a WebSocket to `url` with `ws` (sending `origin` as a browser would, trusting `ca`) and resolves
 * with the HTTP status its upgrade was answered with: 101 when it opened.
 */
export function upgradeStatus(url: string, options: { readonly origin?: string; readonly ca?: string } = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { ...(options.origin === undefined ? {} : { origin: options.origin }), ...(options.ca === undefined ? {} : { ca: options.ca }) });
    socket.once("open", () => {
      socket.terminate();
      resolve(101);
    });
    socket.once("unexpected-response", (_request, response) => {
      response.resume();
      socket.terminate();
      resolve(response.statusCode ?? 0);
    });
    socket.once("error", (error) => {
      if (socket.readyState !== WebSocket.CLOSED) reject(error);
    });
  });
}
