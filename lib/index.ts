/**
 * hakuban: share live JSON data objects between processes. Expose objects, observe them; the library
 * elects one exposer per object, ships differences, resynchronises after lost connections, and hands
 * changes to you as RxJS observables, async iterators or callbacks.
 *
 * This entry is browser-safe. Node-only parts (WebSocket listener, router) are in `hakuban/node`.
 */
export { LocalNode, type LocalNodeOptions, type NodeError, type NodeStats } from "./local-node/local-node.js";
export { NodeClosedError } from "./local-node/node-closed-error.js";
export type {
  NodeSnapshot,
  TrafficRate,
  LinkSnapshotBase,
  LinkSnapshot,
  UpstreamSnapshot,
  ElectedExposer,
  ObjectSnapshot,
  NodeTotals,
  MonitorEventKind,
  MonitorEvent,
} from "./monitor/node-snapshot.js";
export { readNodeSnapshot } from "./monitor/read-node-snapshot.js";
export { ObjectDescriptor, type ObjectDescriptorJson } from "./descriptor/object-descriptor.js";
export { TagDescriptor } from "./descriptor/tag-descriptor.js";
export type { JsonValue, JsonLimits } from "./descriptor/json-value.js";
export type { DescriptorLimits } from "./descriptor/descriptor-limits.js";
export { InvalidJsonError } from "./descriptor/invalid-json-error.js";
export { InvalidDescriptorError } from "./descriptor/invalid-descriptor-error.js";
export { type ObjectState, type Immutable, DEFAULT_FORMAT, BYTES_FORMAT } from "./state/object-state.js";
export { compareVersions, type Version } from "./state/version.js";
export { InvalidVersionError } from "./state/invalid-version-error.js";
export { ObjectContractBuilder, TagContractBuilder } from "./contracts/contract-builder.js";
export type { JsonCompatible, NotJson } from "./contracts/json-compatible.js";
export { InvalidCapacityError } from "./contracts/invalid-capacity-error.js";
export type { ObjectObserve, ObserveOptions } from "./contracts/object-observe.js";
export type { Codec } from "./contracts/codec.js";
export type { WithCodec } from "./contracts/contract-builder.js";
export { InvalidCodecError } from "./contracts/invalid-codec-error.js";
export { CodecEncodeError } from "./contracts/codec-encode-error.js";
export { CodecDecodeError } from "./contracts/codec-decode-error.js";
export { DataLimitError } from "./contracts/data-limit-error.js";
export type { ObjectExpose, ExposeOptions } from "./contracts/object-expose.js";
export type { TagObserve, TagChange, TagObject } from "./contracts/tag-observe.js";
export type { TagExpose, TagAssignment } from "./contracts/tag-expose.js";
export type { SetOptions } from "./contracts/exposed-state.js";
export { ContractTerminatedError } from "./contracts/contract-terminated-error.js";
export type { DenialSurfaces } from "./contracts/denial-surfaces.js";
export { AccessDeniedError } from "./exchange/access-denied-error.js";
export { TagMismatchError } from "./contracts/tag-mismatch-error.js";
export { HakubanError } from "./errors/hakuban-error.js";
export { UpstreamExistsError } from "./net/upstream-exists-error.js";
export { NotAHakubanListenerError } from "./net/not-a-hakuban-listener-error.js";
export type { LinkOptions } from "./sync/link-options.js";
export { TapRing, type TapEntry, type TapKind } from "./choreography/index.js";
export type { SessionMuxOptions, BindingLimits, CompressionOptions, DeflateLevel, PayloadCodec } from "../bindings/index.js";
export { EncodeCache } from "../bindings/index.js";
export type { ConnectorTimers } from "../transports/reconnecting-connector.js";
export type { WebSocketConstructor, WebSocketLike } from "../transports/websocket-carrier.js";
export type { Carrier, CarrierCloseEvent, CarrierHandlers } from "../transports/carrier.js";
export { connect, type ConnectOptions, type Dial, type Upstream, type UpstreamStatus } from "./net/connect.js";
export type { ConnectionLog } from "./net/connection-log.js";
export { connectPort, type ConnectPortOptions, type PortSource } from "./net/connect-port.js";
export { listenPorts, type AcceptPortOptions, type ListenPortsOptions, type PortListener } from "./net/listen-ports.js";
export type { ChildLinkOptions } from "./net/child-links.js";
export type { MessagePortLike } from "../transports/message-port-carrier.js";
export { CarrierProtocolError } from "../transports/carrier-protocol-error.js";
export { LinkRefusedError } from "./sync/link-refused-error.js";
export type { TokenSource } from "./sync/up/upstream-link.js";
export type { AuthRequest, Authenticate } from "./trust/auth-request.js";
export { AuthenticationError, type AuthenticationFailure } from "./trust/authentication-error.js";
export { jwtAuthenticator, type JwtAuthenticatorOptions, type JwtHmacAlgorithm } from "./trust/jwt-authenticator.js";
export type { Principal } from "./trust/principal.js";
export type { Policy, PolicyRule } from "./trust/policy.js";
export type { Selector, Access } from "./trust/selector.js";
export type { Quota } from "./trust/quota.js";
export { parsePolicy, parsePolicyText } from "./trust/parse-policy.js";
export { PolicyError } from "./trust/policy-error.js";
export type {
  AuditEvent,
  AuditEventBase,
  AuditSink,
  AuthenticatedEvent,
  RefusedEvent,
  DeniedEvent,
  GrantsChangeCause,
  GrantsChangedEvent,
  PolicyChangedEvent,
  PolicyRejectedEvent,
  ExposerRef,
  ElectedEvent,
  HandoverEvent,
} from "./trust/audit-event.js";
