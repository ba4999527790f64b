import { HakubanError } from "../../errors/hakuban-error.js";

/**
 * A peer sent an object state the compact binary wire cannot decode: truncated or lying lengths, an
 * unknown tag, a path reference never defined, a version outside the safe range, invalid UTF-8, data
 * nested too deep, trailing bytes, reserved flag bits. The state is refused and the link closed with
 * this error's message, which names the object session and the fault.
 */
export class StateDecodeError extends HakubanError {
  readonly code = "STATE_DECODE";

  /**
   * @param session the object session the state came on (its object's descriptor, or how it is named)
   * @param fault what was wrong, and where
   */
  constructor(
    readonly session: string,
    readonly fault: string,
  ) {
    super(
      `Object ${session}: the peer sent a state that cannot be decoded (${fault}); the state is refused and the link closed ` +
        "(both ends must speak link protocol 7 and its state wire)",
    );
  }
}
