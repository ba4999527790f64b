/**
 * The step check, one for both directions: a message this role sends and a message it receives pass
 * the same checks (the lane is at a step of that direction, the step permits the label, the payload
 * fits its schema) and fail them with the same typed faults, worded for the direction. The check raises
 * nothing itself: it hands the fault to the session, which ends with it.
 */
import { LabelMismatch, PhaseInvariant, SchemaMismatch } from "./errors.js";
import type { MessageSpec } from "./message.js";
import { describeLane, nextState, OFF_TURN, stateOf, type Cells } from "./program-cursor.js";
import { SEND, type RECV, type RoleProgram } from "./role-program.js";

/** Which way a message goes: SEND (this role sends it) or RECV (it receives it). */
export type Direction = typeof SEND | typeof RECV;

/** What the check needs of a session to word its faults. */
export interface StepSite {
  readonly program: RoleProgram;
  /** "lane 1 "interests" of session 3 (Up)". */
  where(lane: number): string;
}

/**
 * The state lane `lane` moves to when `label` (an id of the program) goes in `direction` at the position
 * in `cells` from `base`, or the fault that refuses it: a PhaseInvariant when the lane is not at a step
 * of that direction, a LabelMismatch when the step does not permit the label.
 */
export function checkStep(site: StepSite, cells: Cells, base: number, direction: Direction, lane: number, label: number): number | PhaseInvariant | LabelMismatch {
  const program = site.program;
  const next = nextState(program, cells, base, direction, lane, label);
  if (next >= 0) return next;
  const name = program.catalog.specs[label]!.label;
  const step = direction === SEND ? `send(${name}) on ${site.where(lane)}` : `${site.where(lane)} received ${name}`;
  if (next === OFF_TURN) return new PhaseInvariant(`${step}, but ${describeLane(program, cells, base, lane)}`);
  // NOT_PERMITTED: the lane is at a step of this direction, for other labels.
  return new LabelMismatch(`${step}, but ${program.role} is expected ${program.describeState(stateOf(cells, base, lane))}`);
}

/** `payload` checked with `spec`'s schema (and as the schema returns it); throws the SchemaMismatch that refuses it. */
export function checkPayload(site: StepSite, direction: Direction, spec: MessageSpec, lane: number, payload: unknown): unknown {
  try {
    return spec.schema.parse(payload);
  } catch (error) {
    const schema = spec.schema.name === undefined ? "its schema" : `schema ${spec.schema.name}`;
    const why = error instanceof Error ? error.message : String(error);
    const moved = direction === SEND ? "sent" : "received";
    throw new SchemaMismatch(`the payload of ${spec.label} ${moved} on ${site.where(lane)} does not match ${schema}: ${why}`, { cause: error });
  }
}
