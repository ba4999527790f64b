/**
 * The choreography runtime's public surface: declare a protocol globally, project it to a role,
 * and run that role over a SessionMux with checked, typed endpoints.
 */
export { schema, message, type Schema, type MessageSpec, type FamilyRef, type Announces, type PayloadOf, type LabelOf, type MessageWithLabel } from "./message.js";
export { send, seq, par, route, loop, isGlobal, type Global, type GlobalNode, type Event, type EventsOf, type RolesOf } from "./global.js";
export type { SendNode, SeqNode, ParNode, RouteNode, LoopNode } from "./global.js";
export { family, type Family, type FamilyEvents } from "./session-family.js";
export { project } from "./projection.js";
export { ProjectionError } from "./projection-error.js";
export { RoleProgram, type ForkInfo, type LaneInfo } from "./role-program.js";
export { buildCatalog, type ProtocolCatalog } from "./protocol-catalog.js";
export { createEndpoint, Endpoint, type EndpointOptions } from "./endpoint.js";
export type { EndpointStatus } from "./session-end.js";
export type { SessionEndListener } from "./session-extras.js";
export { Lane } from "./lane.js";
export type { Branch, Handlers, OfferOf, RecvLabel, RecvPayload, SendLabel, SendPayload, SentBy, ReceivedBy, SessionOf, SessionHandler } from "./endpoint-types.js";
export { TapRing, type TapEntry, type TapKind } from "./tap-ring.js";
export { mermaid } from "./mermaid.js";
export { programHash, canonicalForm } from "./program-hash.js";
export { ChoreographyError, LabelMismatch, PhaseInvariant, SchemaMismatch, CodecError, TransportError, AffineViolation, SessionFault } from "./errors.js";
export type { SessionMux, SessionMuxHandlers } from "./wire.js";
