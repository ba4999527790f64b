import type { Carrier } from "../../transports/carrier.js";

/**
 * Wraps `carrier` so its consumer sees every inbound message as `rewrite` returns it: a test damages
 * traffic after it crossed a real transport and before the session mux reads it. Everything else
 * passes straight through.
 */
export function rewriteInbound(carrier: Carrier, rewrite: (bytes: Uint8Array) => Uint8Array): Carrier {
  return {
    get peer() {
      return carrier.peer;
    },
    get state() {
      return carrier.state;
    },
    get bufferedAmount() {
      return carrier.bufferedAmount;
    },
    attach: (handlers) =>
      carrier.attach({ message: (bytes) => handlers.message(rewrite(bytes)), close: (event) => handlers.close(event) }),
    send: (bytes) => carrier.send(bytes),
    close: (reason) => carrier.close(reason),
  };
}
