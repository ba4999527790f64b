import { HakubanError } from "../errors/hakuban-error.js";

/**
 * The server at an upstream's URL answered, but not as a hakuban listener does: a web server's HTTP
 * response, WebSocket text frames, bytes that are not the link protocol, a reply to Hello other than
 * Welcome or Refuse, or no reply at all. `connect` keeps redialing with backoff (the right server may
 * come up there), and keeps this as `lastError`.
 */
export class NotAHakubanListenerError extends HakubanError {
  readonly code = "NOT_A_HAKUBAN_LISTENER";

  /** The URL dialed. */
  readonly url: string;

  /** What the server did instead, e.g. "it answered the WebSocket upgrade with HTTP 404". */
  readonly detail: string;

  constructor(url: string, detail: string, options?: { cause?: unknown }) {
    super(
      `${url} is not a hakuban listener: ${detail}. ` +
        "Check the URL (host, port and path): it must point at a hakuban router, or at a process that called listen(), of a compatible version.",
      options,
    );
    this.url = url;
    this.detail = detail;
  }
}
