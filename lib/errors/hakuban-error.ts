/**
 * Base class of every error the library proper (lib/) throws at its users. Subclasses name the concept
 * that failed and carry a stable `code` for programs and logs; messages say what was wrong and what to do.
 * Lower layers have bases of their own (`CarrierError` for transports, `BindingError` for bindings,
 * `ChoreographyError` for the choreography runtime), so no layer imports one above it.
 */
export abstract class HakubanError extends Error {
  /** Stable identifier of the kind of failure, e.g. "CONTRACT_TERMINATED". */
  abstract readonly code: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
