/**
 * Browser-safe transports: the carrier contract, the in-memory pair for tests, the WebSocket carrier,
 * the message port carrier and the reconnecting connector. Node-only parts are in `./node.js`.
 */
export type { Carrier, CarrierCloseEvent, CarrierHandlers } from "./carrier.js";
export { CarrierAlreadyAttachedError } from "./carrier-already-attached-error.js";
export { CarrierClosedError } from "./carrier-closed-error.js";
export { CarrierProtocolError } from "./carrier-protocol-error.js";
export { ConnectError } from "./connect-error.js";
export {
  createMemoryCarrierPair,
  type MemoryCarrierPairOptions,
  type MemoryCorruption,
  type MemoryDirection,
  type MemoryFaults,
  type MemoryLink,
  type MemoryTrafficCounters,
} from "./memory-carrier.js";
export { bitFlipCorruption, type BitFlipCorruptionOptions } from "./bit-flip-corruption.js";
export {
  dialWebSocket,
  wrapWebSocket,
  type DialWebSocketOptions,
  type WebSocketCarrierOptions,
  type WebSocketConstructor,
  type WebSocketLike,
} from "./websocket-carrier.js";
export { wrapMessagePort, type MessagePortCarrierOptions, type MessagePortLike } from "./message-port-carrier.js";
export {
  ReconnectingConnector,
  type ConnectorStatus,
  type ConnectorTimers,
  type ReconnectingConnectorOptions,
} from "./reconnecting-connector.js";
