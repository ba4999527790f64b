import { HakubanError } from "../errors/hakuban-error.js";

/** A terminated contract was asked to do something; create a new contract instead. */
export class ContractTerminatedError extends HakubanError {
  readonly code = "CONTRACT_TERMINATED";

  constructor(what: string) {
    super(`${what} was called on a terminated contract; create a new contract to observe or expose again`);
  }
}
