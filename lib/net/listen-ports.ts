import { type MessagePortLike, wrapMessagePort } from "../../transports/message-port-carrier.js";
import type { LocalNode } from "../local-node/local-node.js";
import type { Policy } from "../trust/policy.js";
import { ChildLinkLog } from "./child-link-log.js";
import { type ChildLinkOptions, ChildLinks, childLinkSettings } from "./child-links.js";

/** Options of `listenPorts`: the settings of the links of the children it accepts. */
export type ListenPortsOptions = ChildLinkOptions;

/** Options of `PortListener.accept`. */
export interface AcceptPortOptions {
  /** Names the child's port in log lines, monitor snapshots and audit events until its Hello names it (default "port#N"). */
  readonly peer?: string;
}

/** A parent accepting children over message ports. Made by `listenPorts`. */
export interface PortListener {
  /**
   * Links the node at the other end of `port` (which that node gave to `connectPort`) as a child: a
   * port a SharedWorker's `connect` event brought, one end of a MessageChannel whose other end went to a
   * worker or an iframe, a Node Worker, a `parentPort`. The port is the link's alone. After `close()`
   * the port is closed at once.
   */
  accept(port: MessagePortLike, options?: AcceptPortOptions): void;
  /** How many children are linked (or handshaking) right now. */
  readonly links: number;
  /** Ports dropped for saying no Hello within `helloTimeoutMs`. */
  readonly refused: { readonly helloTimeoutMs: number };
  /**
   * Takes `policy` for every link from now on (an invalid one throws PolicyError, audited as
   * policy-rejected, and the previous policy stays); live links are re-evaluated at once. `undefined`
   * allows everything again. `source` names where it came from in the audit event.
   */
  setPolicy(policy: Policy | undefined, source?: string): void;
  /** Says goodbye to every child and accepts no more; resolves once every link ended. Calling it again returns the same promise. */
  close(): Promise<void>;
}

/**
 * Makes `node` the parent of nodes in other threads or frames linked to it by message ports, with the
 * same protocol, limits, trust and monitoring as `listen` over WebSockets, in every runtime (a
 * SharedWorker can be the hub of a browser's tabs, a Node main thread the hub of its workers). Hand it
 * each port with `accept`. A child that misbehaves (a message that is not the link's, a protocol
 * violation, a message over the binding's limits, silence) is disconnected with one log line; the
 * others keep being served. `node.close()` closes the listener too.
 *
 * Throws at once as `listen` rejects for the options both take: NodeClosedError, RangeError,
 * BindingOptionsError, PolicyError, InvalidLimitsError.
 */
export function listenPorts(node: LocalNode, options: ListenPortsOptions = {}): PortListener {
  const settings = childLinkSettings(node, options, "listenPorts");
  const log = new ChildLinkLog(options.log ?? (() => {}), options.logRateLimit ?? {}, settings.helloTimeoutMs);
  const links = new ChildLinks(node, options, settings, log);
  let accepted = 0;
  let closing: Promise<void> | undefined;
  let detach: () => void = () => {};
  const listener: PortListener = {
    accept: (port, acceptOptions = {}) => {
      const peer = acceptOptions.peer ?? `port#${++accepted}`;
      links.accept(wrapMessagePort(port, { peer, maxMessageBytes: settings.maxMessageBytes }), { headers: {}, remoteAddress: undefined, url: "" });
    },
    get links() {
      return links.size;
    },
    get refused() {
      return { helloTimeoutMs: links.helloTimeouts };
    },
    setPolicy: (next, source) => links.setPolicy(next, source),
    close: () =>
      (closing ??= (async () => {
        detach();
        await links.close("the parent's listener is closing");
        log.close();
        log.note("stopped accepting message ports");
      })()),
  };
  try {
    detach = node.adoptLink(listener);
  } catch (error) {
    log.close();
    throw error;
  }
  links.startMonitor();
  log.note("accepting message ports");
  return listener;
}
