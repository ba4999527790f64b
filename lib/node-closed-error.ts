import { HakubanError } from "./hakuban-error.js";

/** The node was closed; create a new node. */
export class NodeClosedError extends HakubanError {
  constructor(what: string) {
    super(`${what} was called on a closed LocalNode; create a new LocalNode`);
  }
}
