import { HakubanError } from "../errors/hakuban-error.js";

/** The node was closed; create a new node. */
export class NodeClosedError extends HakubanError {
  readonly code = "NODE_CLOSED";

  constructor(what: string) {
    super(`${what} was called on a closed LocalNode; create a new LocalNode`);
  }
}
