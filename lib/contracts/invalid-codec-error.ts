import { HakubanError } from "../errors/hakuban-error.js";

/** A contract was given a codec that is not one (see Codec): thrown when the contract is made. */
export class InvalidCodecError extends HakubanError {
  readonly code = "INVALID_CODEC";

  /** @param problem what is wrong with the codec */
  constructor(readonly problem: string) {
    super(`Invalid codec: ${problem}`);
  }
}
