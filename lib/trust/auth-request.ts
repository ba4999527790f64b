import type { Principal } from "./principal.js";

/** What a listener knows of a link asking to be accepted, for its `authenticate` function to judge. */
export interface AuthRequest {
  /** The token the child sent in its handshake (`connect(…, { token })`); undefined when it sent none. */
  readonly token: string | undefined;
  /** The HTTP headers of the WebSocket upgrade request, lower-cased names as Node gives them. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The peer's IP address, when the socket knows it. */
  readonly remoteAddress: string | undefined;
  /** The upgrade request's URL (path and query), e.g. `/hakuban?room=7`. */
  readonly url: string;
}

/**
 * Decides who a link is: returns (or resolves to) its principal, or throws (rejects) to refuse the link,
 * the error's message being the reason the child is told. `jwtAuthenticator` makes one for JWTs.
 */
export type Authenticate = (request: AuthRequest) => Principal | Promise<Principal>;
