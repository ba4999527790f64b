/** Every transport, including the Node-only `ws` listener and dialer. */
export * from "../index.js";
export type { ConnectionRefusal, RefusalCounts, RefusalReason } from "./connection-refusal.js";
export { ListenError } from "./listen-error.js";
export { MessageTooLargeError } from "./message-too-large-error.js";
export {
  DEFAULT_MAX_PAYLOAD,
  LISTENER_LIMIT_DEFAULTS,
  listenWebSocket,
  type WebSocketListener,
  type WebSocketListenerOptions,
} from "./ws-listener.js";
export { dialWs, type DialWsOptions } from "./ws-dial.js";
