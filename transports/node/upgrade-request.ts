/**
 * What a listener saw of the HTTP request a WebSocket connection was upgraded from, captured when it
 * was accepted (once the socket is gone, its address is too): what an `authenticate` function judges
 * besides the child's token.
 */
export interface UpgradeRequest {
  /** The upgrade request's headers, lower-cased names as Node gives them (cookies, Origin, a proxy's X-Forwarded-For...). */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The peer's IP address, when the socket knew it. */
  readonly remoteAddress: string | undefined;
  /** The request's URL (path and query), e.g. `/hakuban?room=7`. */
  readonly url: string;
}
