/**
 * The flat table of a connection's open sessions: a row per session in one Int32Array (its id, the row
 * of the session that announced it, one cell packing its role program, its status and which lane the
 * application uses, and its program cursor: each lane's state), found by id through a SessionIndex. A link keeps a session
 * per object, so a session's bookkeeping is a few numbers in a row, not maps and arrays of its own; the
 * Endpoint the application holds is a light handle on its row. Rows of ended sessions are reused.
 */
import type { Endpoint } from "./endpoint.js";
import type { RoleProgram } from "./role-program.js";
import { NO_ROW, SessionIndex, type RowIds } from "./session-index.js";

/** Row columns: the session id (as int32 bits). */
export const COL_ID = 0;
/** Row columns: the row of the session that announced this one (NO_ROW for session 0). */
export const COL_PARENT = 1;
/**
 * Row columns: the session's role program (an index into ProgramSet.programs) in the low 16 bits, its
 * status (STATUS_OPEN, STATUS_DONE, STATUS_FAULTED) in the next 2, and the lane the application uses
 * (USE_NONE, USE_MANY, or the lane's id), plus 2, above: three small numbers in one cell, a row being
 * per session.
 */
const COL_META = 2;
/** Row columns: the first lane's state; lane `l`'s state is at COL_LANES + l. */
export const COL_LANES = 3;
const PROGRAM_BITS = 0xffff;
const STATUS_SHIFT = 16;
const STATUS_BITS = 3 << STATUS_SHIFT;
const USE_SHIFT = 18;

/** Status values. */
export const STATUS_OPEN = 0;
export const STATUS_DONE = 1;
export const STATUS_FAULTED = 2;

/** COL_USE values besides a lane id: no lane is used yet, or more than one is (the uses are an array by lane). */
export const USE_NONE = -1;
export const USE_MANY = -2;

/** A root role program and every family program its sessions may announce, shared by all connections that run it. */
export interface ProgramSet {
  readonly programs: readonly RoleProgram[];
  readonly indexOf: ReadonlyMap<RoleProgram, number>;
  /** Cells per row: the columns before the lanes, then as many lanes as the program with the most. */
  readonly stride: number;
}

const programSets = new WeakMap<RoleProgram, ProgramSet>();

/** The ProgramSet of root program `root` (made once per program). */
export function programSetOf(root: RoleProgram): ProgramSet {
  let set = programSets.get(root);
  if (set === undefined) {
    const indexOf = new Map<RoleProgram, number>();
    const programs: RoleProgram[] = [];
    const visit = (program: RoleProgram): void => {
      if (indexOf.has(program)) return;
      indexOf.set(program, programs.length);
      programs.push(program);
      for (const family of program.families.values()) visit(family);
    };
    visit(root);
    const lanes = Math.max(...programs.map((program) => program.lanes.length));
    set = { programs, indexOf, stride: COL_LANES + lanes };
    programSets.set(root, set);
  }
  return set;
}

const INITIAL_ROWS = 2;

/** The open sessions of one connection, a row each. */
export class SessionTable implements RowIds {
  /** The rows, `stride` cells each. Replaced when the table grows: read it anew after adding a row. */
  cells: Int32Array;
  readonly stride: number;
  /** The handle of each row in use (undefined: a free row). */
  private readonly endpoints: (Endpoint | undefined)[] = [];
  private readonly index = new SessionIndex(this);
  /** Free rows, linked through their COL_ID cell; NO_ROW ends the list. */
  private freeHead = NO_ROW;
  /** Rows handed out so far (free or not). */
  private used = 0;

  constructor(readonly programs: ProgramSet) {
    this.stride = programs.stride;
    this.cells = new Int32Array(INITIAL_ROWS * this.stride);
  }

  /** Open sessions. */
  get size(): number {
    return this.index.size;
  }

  /**
   * A row for session `id` (not open yet) of `program` (one of the set's), announced by the session in
   * row `parent` (NO_ROW for none), handled by `endpoint`: open, no lane used, every lane not started.
   */
  add(endpoint: Endpoint, program: RoleProgram, id: number, parent: number): number {
    const programIndex = this.programs.indexOf.get(program);
    if (programIndex === undefined) throw new RangeError(`role program ${program.name} is not one this connection's protocol announces`);
    if (programIndex > PROGRAM_BITS) throw new RangeError(`a protocol may announce at most ${PROGRAM_BITS + 1} role programs`);
    let row = this.freeHead;
    if (row === NO_ROW) {
      row = this.used++;
      if (row * this.stride >= this.cells.length) {
        const grown = new Int32Array(2 * this.cells.length);
        grown.set(this.cells);
        this.cells = grown;
      }
    } else {
      this.freeHead = this.cells[row * this.stride + COL_ID]!;
    }
    const cells = this.cells;
    const base = row * this.stride;
    cells[base + COL_ID] = id;
    cells[base + COL_PARENT] = parent;
    cells[base + COL_META] = programIndex | (STATUS_OPEN << STATUS_SHIFT) | ((USE_NONE + 2) << USE_SHIFT);
    cells.fill(-1, base + COL_LANES, base + this.stride);
    this.endpoints[row] = endpoint;
    this.index.set(id, row);
    return row;
  }

  /** The id (as int32 bits) in row `row`'s id cell: its session's while the row is in use. */
  idOfRow(row: number): number {
    return this.cells[row * this.stride + COL_ID]!;
  }

  /** The role program of the session in row `row`. */
  programAt(row: number): RoleProgram {
    return this.programs.programs[this.cells[row * this.stride + COL_META]! & PROGRAM_BITS]!;
  }

  /** The status of the session in row `row` (STATUS_OPEN, STATUS_DONE, STATUS_FAULTED). */
  statusAt(row: number): number {
    return (this.cells[row * this.stride + COL_META]! & STATUS_BITS) >>> STATUS_SHIFT;
  }

  setStatus(row: number, status: number): void {
    const cell = row * this.stride + COL_META;
    this.cells[cell] = (this.cells[cell]! & ~STATUS_BITS) | (status << STATUS_SHIFT);
  }

  /** The lane the application uses in row `row`'s session: USE_NONE, USE_MANY or a lane id. */
  useAt(row: number): number {
    return (this.cells[row * this.stride + COL_META]! >>> USE_SHIFT) - 2;
  }

  setUse(row: number, use: number): void {
    const cell = row * this.stride + COL_META;
    this.cells[cell] = (this.cells[cell]! & (PROGRAM_BITS | STATUS_BITS)) | ((use + 2) << USE_SHIFT);
  }

  /** The row of open session `id`, or NO_ROW. */
  rowOf(id: number): number {
    return this.index.get(id);
  }

  /** The handle of the open session with id `id`. */
  byId(id: number): Endpoint | undefined {
    const row = this.index.get(id);
    return row === NO_ROW ? undefined : this.endpoints[row];
  }

  /** The handle of row `row` (a row in use). */
  at(row: number): Endpoint | undefined {
    return this.endpoints[row];
  }

  /** Session `id` is no longer open: frames stop finding it. Its row stays until `free`. */
  close(id: number): void {
    this.index.delete(id);
  }

  /** Row `row` is free for another session. */
  free(row: number): void {
    this.endpoints[row] = undefined;
    this.cells[row * this.stride + COL_ID] = this.freeHead;
    this.freeHead = row;
  }

  /** The handles of the rows in use, in row order, a copy (so ending them as they come is safe). */
  handles(): Endpoint[] {
    const all: Endpoint[] = [];
    for (let row = 0; row < this.used; row++) {
      const endpoint = this.endpoints[row];
      if (endpoint !== undefined) all.push(endpoint);
    }
    return all;
  }

  /** The handles of the rows announced by the session in row `parent`, in row order. */
  childrenOf(parent: number): Endpoint[] {
    const children: Endpoint[] = [];
    const cells = this.cells;
    for (let row = 0; row < this.used; row++) {
      const endpoint = this.endpoints[row];
      if (endpoint !== undefined && cells[row * this.stride + COL_PARENT] === parent) children.push(endpoint);
    }
    return children;
  }
}
