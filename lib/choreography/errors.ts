/**
 * Typed faults of the choreography runtime. The first fault of a session generation ends it and
 * rejects every pending operation with that same error; `cause` keeps the lower-level reason.
 */

/** Base class of every fault the runtime raises; `code` is stable for programs and logs. */
export abstract class ChoreographyError extends Error {
  abstract readonly code: string;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A message arrived (or was sent) with a label the current step does not permit. */
export class LabelMismatch extends ChoreographyError {
  readonly code = "LABEL_MISMATCH";
}

/** An operation was attempted in a phase where it is not allowed (wrong role, session over, lane finished). */
export class PhaseInvariant extends ChoreographyError {
  readonly code = "PHASE_INVARIANT";
}

/** A payload did not satisfy its message's schema. */
export class SchemaMismatch extends ChoreographyError {
  readonly code = "SCHEMA_MISMATCH";
}

/** Bytes could not be decoded into a payload (bad framing, bad JSON, failed or oversized inflate). */
export class CodecError extends ChoreographyError {
  readonly code = "CODEC";
}

/** The connection below the session failed or closed. */
export class TransportError extends ChoreographyError {
  readonly code = "TRANSPORT";
}

/** A step handle was used twice; each permitted step can be committed exactly once. */
export class AffineViolation extends ChoreographyError {
  readonly code = "AFFINE_VIOLATION";
}

/** The session was ended by a fault elsewhere (another lane, the peer, or the application). */
export class SessionFault extends ChoreographyError {
  readonly code = "SESSION_FAULT";
}
