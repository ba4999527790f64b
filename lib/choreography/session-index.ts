/**
 * Session id → table row, for one connection: an open-addressing hash of rows in one Int32Array (linear
 * probing, deletion by backward shift, kept between a quarter and a half full). A slot holds only the
 * row: the session's id is in the row itself (see RowIds), so a probe compares the id found there. A
 * connection may carry 100,000 sessions; a Map would spend about 40 bytes on each entry, this spends 8
 * to 16.
 */

/** What `get` answers for an id that has no row. */
export const NO_ROW = -1;

const MIN_CAPACITY = 8;

/** Where the index reads a row's session id: the connection's session table. */
export interface RowIds {
  /** The id (as int32 bits) of the session in `row`, a row the index holds. */
  idOfRow(row: number): number;
}

/** The open sessions' ids, each with its row in the connection's session table. */
export class SessionIndex {
  /**
   * Per slot: a row (NO_ROW: an empty slot). Made for the second id: a connection that only ever has
   * its first session (an idle link) keeps that one's row in `soleRow`.
   */
  private slots: Int32Array | undefined = undefined;
  private mask = MIN_CAPACITY - 1;
  private soleRow = NO_ROW;
  private count = 0;

  constructor(private readonly rows: RowIds) {}

  /** How many ids have a row. */
  get size(): number {
    return this.count;
  }

  /** The row of session `id`, or NO_ROW. */
  get(id: number): number {
    const slots = this.slots;
    const key = id | 0;
    const rows = this.rows;
    if (slots === undefined) return this.soleRow !== NO_ROW && rows.idOfRow(this.soleRow) === key ? this.soleRow : NO_ROW;
    const mask = this.mask;
    for (let i = hash(key) & mask; ; i = (i + 1) & mask) {
      const row = slots[i]!;
      if (row === NO_ROW || rows.idOfRow(row) === key) return row;
    }
  }

  /** Gives session `id` (which has no row yet) row `row`, whose id cell already holds `id`. */
  set(id: number, row: number): void {
    if (this.slots === undefined) {
      if (this.soleRow === NO_ROW) {
        this.soleRow = row;
        this.count = 1;
        return;
      }
      this.slots = emptySlots(MIN_CAPACITY);
      this.place(this.soleRow);
      this.soleRow = NO_ROW;
    }
    if (2 * (this.count + 1) > this.mask + 1) this.resize(2 * (this.mask + 1));
    this.placeKeyed(id | 0, row);
    this.count++;
  }

  /** Takes session `id` out (before its row's id cell changes); returns whether it had a row. */
  delete(id: number): boolean {
    const slots = this.slots;
    const key = id | 0;
    const rows = this.rows;
    if (slots === undefined) {
      if (this.soleRow === NO_ROW || rows.idOfRow(this.soleRow) !== key) return false;
      this.soleRow = NO_ROW;
      this.count = 0;
      return true;
    }
    const mask = this.mask;
    let hole = hash(key) & mask;
    for (; ; hole = (hole + 1) & mask) {
      const row = slots[hole]!;
      if (row === NO_ROW) return false;
      if (rows.idOfRow(row) === key) break;
    }
    // Backward shift: each later entry of the run that may sit in the hole moves into it.
    for (let j = (hole + 1) & mask; slots[j] !== NO_ROW; j = (j + 1) & mask) {
      const home = hash(rows.idOfRow(slots[j]!)) & mask;
      const between = hole <= j ? home > hole && home <= j : home > hole || home <= j;
      if (between) continue;
      slots[hole] = slots[j]!;
      hole = j;
    }
    slots[hole] = NO_ROW;
    this.count--;
    if (this.mask + 1 > MIN_CAPACITY && 4 * this.count < this.mask + 1) this.resize((this.mask + 1) / 2);
    return true;
  }

  private place(row: number): void {
    this.placeKeyed(this.rows.idOfRow(row), row);
  }

  private placeKeyed(key: number, row: number): void {
    const slots = this.slots!;
    const mask = this.mask;
    let i = hash(key) & mask;
    while (slots[i] !== NO_ROW) i = (i + 1) & mask;
    slots[i] = row;
  }

  private resize(capacity: number): void {
    const old = this.slots!;
    this.slots = emptySlots(capacity);
    this.mask = capacity - 1;
    for (let i = 0; i < old.length; i++) if (old[i] !== NO_ROW) this.place(old[i]!);
  }
}

function emptySlots(capacity: number): Int32Array {
  return new Int32Array(capacity).fill(NO_ROW);
}

/** Spreads ids that increase by one (as session ids do) over every bit of the table's index. */
function hash(key: number): number {
  const h = Math.imul(key ^ (key >>> 16), 0x45d9f3b);
  return (h ^ (h >>> 16)) >>> 0;
}
