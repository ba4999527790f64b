/**
 * A bounded ring of recent endpoint events (sends, receives, route/loop decisions, session opens and
 * ends, faults) for debugging. Recording writes into preallocated columns: no allocation per event.
 */

/** What a tap entry records. */
export type TapKind = "send" | "recv" | "route" | "open" | "close" | "fault";

const KINDS: readonly TapKind[] = ["send", "recv", "route", "open", "close", "fault"];
/** Column codes for TapKind, used by the runtime's hot paths. */
export const TAP_SEND = 0;
/** See TAP_SEND. */
export const TAP_RECV = 1;
/** See TAP_SEND. */
export const TAP_ROUTE = 2;
/** See TAP_SEND. */
export const TAP_OPEN = 3;
/** See TAP_SEND. */
export const TAP_CLOSE = 4;
/** See TAP_SEND. */
export const TAP_FAULT = 5;

/** One recorded event. `lane` is -1 and `label` "" for session-level events. */
export interface TapEntry {
  /** Position in the whole recording (0 = first event ever recorded by this ring). */
  readonly seq: number;
  /** Date.now() when the synchronous run that recorded this event began (the clock is read once per run). */
  readonly time: number;
  readonly kind: TapKind;
  readonly session: number;
  readonly lane: number;
  readonly role: string;
  readonly label: string;
  /** Route arm or loop exit taken, fault message, or close reason. */
  readonly detail: string | undefined;
}

/** A fixed-capacity ring of the most recent TapEntry records; older entries are overwritten. */
export class TapRing {
  readonly capacity: number;
  private readonly kinds: Uint8Array;
  private readonly times: Float64Array;
  private readonly sessions: Float64Array;
  private readonly lanes: Int32Array;
  private readonly roles: string[];
  private readonly labels: string[];
  private readonly details: (string | undefined)[];
  private total = 0;
  /** Clock reading shared by the events of one synchronous run (reading the clock costs more than recording). */
  private now = 0;
  private fresh = false;
  private readonly expire = (): void => {
    this.fresh = false;
  };

  constructor(capacity = 256) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`tap ring capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.kinds = new Uint8Array(capacity);
    this.times = new Float64Array(capacity);
    this.sessions = new Float64Array(capacity);
    this.lanes = new Int32Array(capacity);
    this.roles = new Array<string>(capacity).fill("");
    this.labels = new Array<string>(capacity).fill("");
    this.details = new Array<string | undefined>(capacity).fill(undefined);
  }

  /** How many events were ever recorded (entries() holds the last min(recorded, capacity)). */
  get recorded(): number {
    return this.total;
  }

  /** Records one event (kind is a TAP_* code). */
  record(kind: number, session: number, lane: number, role: string, label: string, detail?: string): void {
    const i = this.total % this.capacity;
    this.total++;
    this.kinds[i] = kind;
    if (!this.fresh) {
      this.now = Date.now();
      this.fresh = true;
      queueMicrotask(this.expire);
    }
    this.times[i] = this.now;
    this.sessions[i] = session;
    this.lanes[i] = lane;
    this.roles[i] = role;
    this.labels[i] = label;
    this.details[i] = detail;
  }

  /** The retained entries, oldest first. */
  entries(): TapEntry[] {
    const out: TapEntry[] = [];
    for (let seq = Math.max(0, this.total - this.capacity); seq < this.total; seq++) {
      const i = seq % this.capacity;
      out.push({
        seq,
        time: this.times[i]!,
        kind: KINDS[this.kinds[i]!]!,
        session: this.sessions[i]!,
        lane: this.lanes[i]!,
        role: this.roles[i]!,
        label: this.labels[i]!,
        detail: this.details[i],
      });
    }
    return out;
  }

  /** The retained entries as text lines, oldest first: `#12 s3 lane 1 Up recv Interest`. */
  format(): string {
    return this.entries()
      .map((e) => {
        const where = e.lane < 0 ? `s${e.session}` : `s${e.session} lane ${e.lane}`;
        const what = [e.kind, e.label, e.detail === undefined ? "" : `(${e.detail})`].filter((x) => x !== "").join(" ");
        return `#${e.seq} ${new Date(e.time).toISOString()} ${where} ${e.role} ${what}`;
      })
      .join("\n");
  }

  /** Forgets every entry (the recorded count restarts at 0). */
  clear(): void {
    this.total = 0;
    this.details.fill(undefined);
  }
}
