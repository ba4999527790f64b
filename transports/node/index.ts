/** Every transport, including the Node-only `ws` listener and dialer. */
export * from "../index.js";
export type { ConnectionRefusal, RefusalCounts, RefusalReason } from "./connection-refusal.js";
export { ListenError } from "./listen-error.js";
export { MessageTooLargeError } from "./message-too-large-error.js";
export { TlsOptionsError } from "./tls-options-error.js";
export type { UpgradeRequest } from "./upgrade-request.js";
export {
  DEFAULT_MAX_PAYLOAD,
  LISTENER_LIMIT_DEFAULTS,
  listenWebSocket,
  type ListenerTls,
  type WebSocketListener,
  type WebSocketListenerOptions,
} from "./ws-listener.js";
export { type DialTls, dialWs, type DialWsOptions } from "./ws-dial.js";
