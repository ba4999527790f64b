/**
 * Base class of every error a binding throws (between carriers and the choreography); `code` is stable
 * for programs and logs.
 */
export abstract class BindingError extends Error {
  /** Stable identifier of the kind of failure, e.g. "BINDING_OPTIONS". */
  abstract readonly code: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
