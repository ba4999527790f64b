import { resolveBindingLimits } from "../../bindings/limits.js";
import { ConnectError } from "../../transports/connect-error.js";
import { type MessagePortLike, wrapMessagePort } from "../../transports/message-port-carrier.js";
import type { LocalNode } from "../local-node/local-node.js";
import { connect, type ConnectOptions, type Upstream } from "./connect.js";

/** Where `connectPort` gets its port: the port itself, or a function giving a fresh one for each link. */
export type PortSource = MessagePortLike | (() => MessagePortLike | Promise<MessagePortLike>);

/** Options of `connectPort`: those of `connect` but how to dial, and a name for the port. */
export interface ConnectPortOptions extends Omit<ConnectOptions, "WebSocket" | "dial" | "dialTimeoutMs"> {
  /** Names the parent in log lines and as the upstream's `url` (default "message port"). */
  readonly peer?: string;
  /**
   * A port function whose port has not come after this many milliseconds fails that dial, which is
   * retried with backoff (default 10 000); a port that comes later is closed.
   */
  readonly portTimeoutMs?: number;
}

/**
 * Links `node` to a parent in another thread or frame (one that accepts the other end of the port with
 * `listenPorts(…).accept`), with the same protocol, checks and resync as `connect` over a WebSocket.
 *
 * A port cannot be redialed: given a port, the upstream closes for good (status "closed") when the link
 * is lost, and `reconnect` does not apply. Given a function, each link asks it for a fresh port (a new
 * MessageChannel whose other end it hands to the parent, `new SharedWorker(url).port`, which also
 * restarts a SharedWorker hub that went away); after a loss the upstream asks again with backoff (unless
 * `reconnect` is false) and resyncs without flicker, as `connect` does after a reconnect. A function that
 * throws, rejects or gives no port within `portTimeoutMs` counts as a failed dial (a ConnectError).
 *
 * Throws at once as `connect` does: NodeClosedError, UpstreamExistsError, RangeError, InvalidLimitsError,
 * and BindingOptionsError for invalid `mux.limits`.
 */
export function connectPort(node: LocalNode, port: PortSource, options: ConnectPortOptions = {}): Upstream {
  const maxMessageBytes = resolveBindingLimits(options.mux?.limits).maxMessageBytes;
  const peer = options.peer ?? "message port";
  const { portTimeoutMs = 10_000 } = options;
  if (!(Number.isFinite(portTimeoutMs) && portTimeoutMs > 0)) {
    throw new RangeError(`connectPort option portTimeoutMs must be a finite number > 0, got ${portTimeoutMs}.`);
  }
  const carrier = (given: MessagePortLike) => wrapMessagePort(given, { peer, maxMessageBytes });
  if (typeof port !== "function") return connect(node, peer, { ...options, reconnect: false, dial: async () => carrier(port) });
  return connect(node, peer, {
    ...options,
    dial: (_peer, signal) =>
      new Promise((resolve, reject) => {
        let pending = true;
        /** Ends the wait (its deadline, its abort listener); false when it ended already. */
        const settle = (): boolean => {
          if (!pending) return false;
          pending = false;
          clearTimeout(timer);
          signal.removeEventListener("abort", aborted);
          return true;
        };
        const giveUp = (reason: string, cause?: unknown): void => {
          if (settle()) reject(new ConnectError(peer, reason, { cause }));
        };
        const aborted = (): void => giveUp("the dial was aborted", signal.reason);
        const timer = setTimeout(() => giveUp(`the port function gave no port within ${portTimeoutMs} ms (portTimeoutMs)`), portTimeoutMs);
        signal.addEventListener("abort", aborted, { once: true });
        Promise.resolve()
          .then(port)
          .then(
            (given) => {
              if (settle()) resolve(carrier(given));
              else carrier(given).close("the dial was given up");
            },
            (error: unknown) => giveUp(`the port function failed: ${error instanceof Error ? error.message : String(error)}`, error),
          );
      }),
  });
}
