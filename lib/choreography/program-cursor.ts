/**
 * The program cursor: where a session stands in its role program, what may come next on each lane, and
 * how a step moves it on (forks start their lanes, finished lanes join their parent). Pure functions of
 * a role program and a position: no I/O, no callbacks, no errors raised, so it is the one place the
 * order of a protocol is decided and can be checked on its own.
 */
import { END, FORK, RECV, SEND, type RoleProgram } from "./role-program.js";

/**
 * Where a session's position in a role program is kept: cells of a table (a row of the connection's
 * session table, or any array), read from a base index. At `base + lane`, for each lane of the
 * program, that lane's state, or -1 before the lane first starts.
 */
export interface Cells {
  [index: number]: number;
}

/** What nextState answers when the lane is not at a step of the asked direction (not started, forked, ended, or the other direction). */
export const OFF_TURN = -1;
/** What nextState answers when the lane is at a step of the asked direction that does not permit the label. */
export const NOT_PERMITTED = -2;

/** Puts the position at `cells`/`base` at the start of `program`: every lane not started, lane 0 at the start state. Returns true when that already ends the protocol. */
export function startPosition(program: RoleProgram, cells: Cells, base: number): boolean {
  for (let lane = 0; lane < program.lanes.length; lane++) cells[base + lane] = -1;
  return advance(program, cells, base, 0, program.start);
}

/** Lane `lane`'s state (-1 before it first starts); `lane` must be a lane of the program. */
export function stateOf(cells: Cells, base: number, lane: number): number {
  return cells[base + lane]!;
}

/**
 * The state lane `lane` moves to when `label` goes in `direction` (SEND: this role sends it; RECV: it
 * receives it), or OFF_TURN or NOT_PERMITTED. `lane` must be a lane and `label` a label id of the program.
 */
export function nextState(program: RoleProgram, cells: Cells, base: number, direction: typeof SEND | typeof RECV, lane: number, label: number): number {
  const state = stateOf(cells, base, lane);
  if (state < 0 || program.kinds[state] !== direction) return OFF_TURN;
  const next = program.next[state * program.labelCount + label]!;
  return next < 0 ? NOT_PERMITTED : next;
}

/**
 * Moves lane `lane` to state `state`, starting the lanes of a fork and joining finished lanes into their
 * parent. Returns true when lane 0 reached the end of the protocol.
 */
export function advance(program: RoleProgram, cells: Cells, base: number, lane: number, state: number): boolean {
  for (;;) {
    cells[base + lane] = state;
    const kind = program.kinds[state];
    if (kind === FORK) {
      const fork = program.forks[state]!;
      // Not started yet, so a lane ending at once does not take a sibling's end from a previous
      // run of this par (in a loop) for its own.
      for (const child of fork.lanes) cells[base + child] = -1;
      let complete = false;
      for (let i = 0; i < fork.lanes.length; i++) {
        if (advance(program, cells, base, fork.lanes[i]!, fork.starts[i]!)) complete = true;
      }
      return complete;
    }
    if (kind !== END) return false;
    const parent = program.lanes[lane]!.parent;
    if (parent < 0) return true;
    // The parent continues once every lane of its fork has ended.
    const fork = program.forks[stateOf(cells, base, parent)];
    if (fork === undefined) return false; // the parent already moved on (this lane's fork was joined)
    for (const sibling of fork.lanes) {
      const s = stateOf(cells, base, sibling);
      if (s < 0 || program.kinds[s] !== END) return false;
    }
    state = fork.next;
    lane = parent;
  }
}

/** Whether lane `lane` reached its end. */
export function laneFinished(program: RoleProgram, cells: Cells, base: number, lane: number): boolean {
  const s = stateOf(cells, base, lane);
  return s >= 0 && program.kinds[s] === END;
}

/** True when lane `lane` keeps the session from ending cleanly (it runs and is not at a place where the protocol may end). */
function blocks(program: RoleProgram, cells: Cells, base: number, lane: number): boolean {
  const s = stateOf(cells, base, lane);
  if (s < 0) return false;
  const kind = program.kinds[s];
  // A waiting lane defers to its parallel lanes; an ended lane waits for its join.
  return kind !== FORK && kind !== END && program.final[s] !== 1;
}

/** True when the session may end cleanly at the position: no running lane has work left that the protocol requires. */
export function mayEnd(program: RoleProgram, cells: Cells, base: number): boolean {
  for (let lane = 0; lane < program.lanes.length; lane++) if (blocks(program, cells, base, lane)) return false;
  return true;
}

/** What lane `lane` waits for, for errors: "that lane has finished", "Up is expected to send ...". */
export function describeLane(program: RoleProgram, cells: Cells, base: number, lane: number): string {
  const s = stateOf(cells, base, lane);
  if (s < 0) return `that lane has not started (its par has not been reached)`;
  const kind = program.kinds[s];
  if (kind === FORK) return `that lane waits for its parallel lanes to finish (${program.paths[s]})`;
  if (kind === END) return "that lane has finished";
  return `${program.role} is expected ${program.describeState(s)}`;
}

/** The work that keeps the session from ending cleanly, lane by lane, for errors (empty when it may end). */
export function describePending(program: RoleProgram, cells: Cells, base: number): string {
  const work: string[] = [];
  for (let lane = 0; lane < program.lanes.length; lane++) {
    if (blocks(program, cells, base, lane)) work.push(`${program.laneName(lane)} expects ${program.describeState(stateOf(cells, base, lane))}`);
  }
  return work.join("; ");
}
