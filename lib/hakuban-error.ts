/**
 * Base class of every error hakuban throws at its users. Subclasses name the concept that failed;
 * messages say what was wrong and what to do about it.
 */
export class HakubanError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
