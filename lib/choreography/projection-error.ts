/**
 * The error `project` throws for a protocol that cannot be run safely. `step` names the offending step
 * (a path such as `step 3 > route(Up) > arm 2 > Up->Down Refuse`) so the declaration can be fixed.
 */
import { ChoreographyError } from "./errors.js";

/** A global protocol was rejected by projection; the message says which step and why. */
export class ProjectionError extends ChoreographyError {
  readonly code = "PROJECTION";
  /** The path of the offending step in the global protocol ("" for the whole protocol). */
  readonly step: string;
  constructor(step: string, message: string) {
    super(step === "" ? message : `${step}: ${message}`);
    this.step = step;
  }
}
