/** Every transport, including the Node-only `ws` listener and dialer. */
export * from "../index.js";
export { ListenError } from "./listen-error.js";
export { DEFAULT_MAX_PAYLOAD, listenWebSocket, type WebSocketListener, type WebSocketListenerOptions } from "./ws-listener.js";
export { dialWs, type DialWsOptions } from "./ws-dial.js";
