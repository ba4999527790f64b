import { resolveBindingLimits } from "../../bindings/limits.js";
import { type MessagePortLike, wrapMessagePort } from "../../transports/message-port-carrier.js";
import type { LocalNode } from "../local-node/local-node.js";
import { connect, type ConnectOptions, type Upstream } from "./connect.js";

/** Where `connectPort` gets its port: the port itself, or a function giving a fresh one for each link. */
export type PortSource = MessagePortLike | (() => MessagePortLike | Promise<MessagePortLike>);

/** Options of `connectPort`: those of `connect` but how to dial, and a name for the port. */
export interface ConnectPortOptions extends Omit<ConnectOptions, "WebSocket" | "dial" | "dialTimeoutMs"> {
  /** Names the parent in log lines and as the upstream's `url` (default "message port"). */
  readonly peer?: string;
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
 * throws or rejects counts as a failed dial.
 *
 * Throws at once as `connect` does: NodeClosedError, UpstreamExistsError, RangeError, InvalidLimitsError,
 * and BindingOptionsError for invalid `mux.limits`.
 */
export function connectPort(node: LocalNode, port: PortSource, options: ConnectPortOptions = {}): Upstream {
  const maxMessageBytes = resolveBindingLimits(options.mux?.limits).maxMessageBytes;
  const peer = options.peer ?? "message port";
  const fresh = typeof port === "function";
  const portOf = fresh ? port : () => port;
  return connect(node, peer, {
    ...options,
    ...(fresh ? {} : { reconnect: false }),
    dial: async () => wrapMessagePort(await portOf(), { peer, maxMessageBytes }),
  });
}
