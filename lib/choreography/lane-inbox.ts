/**
 * What a lane received and the application has not taken yet with recv()/offer(), the one pending
 * recv()/offer() waiting for it, and an offered branch not yet committed. Made only for lanes used that
 * way: served lanes and lanes that only send have none (a connection may carry very many sessions).
 */
import { AffineViolation, LabelMismatch } from "./errors.js";
import type { Branch } from "./endpoint-types.js";
import type { Endpoint } from "./endpoint.js";

interface Waiter {
  /** Expected label id, or -1 for offer(). */
  readonly label: number;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
}

/** A received message handed out by offer(): its label is known, `recv()` takes it (once). */
class OfferedBranch implements Branch<string, unknown> {
  private spent = false;
  constructor(
    private readonly inbox: LaneInbox,
    private readonly endpoint: Endpoint,
    private readonly lane: number,
    readonly label: string,
    private readonly payload: unknown,
  ) {}

  recv(): unknown {
    const ep = this.endpoint;
    if (this.spent) {
      throw ep.fail(new AffineViolation(`the offered ${this.label} on ${ep.where(this.lane)} was already taken; each offered branch can be committed once`));
    }
    this.spent = true;
    this.inbox.offered = null;
    if (ep.fault !== undefined) throw ep.afterEnd(`taking the offered ${this.label}`);
    return this.payload;
  }
}

/** One lane's received messages in order, with their sub-sessions, taken from `head` on. */
export class LaneInbox {
  private readonly labels: number[] = [];
  private readonly payloads: unknown[] = [];
  private readonly sessions: unknown[] = [];
  private head = 0;
  /** The pending recv()/offer(), if any. */
  waiter: Waiter | null = null;
  /** An offered branch not yet committed. */
  offered: OfferedBranch | null = null;

  /** Messages waiting to be taken (not counting an offered branch). */
  get size(): number {
    return this.labels.length - this.head;
  }

  /** Received messages not taken yet, an offered branch included. */
  get backlog(): number {
    return this.size + (this.offered === null ? 0 : 1);
  }

  /** The label id of the next message waiting, or of the offered branch. */
  nextLabel(endpoint: Endpoint): string {
    if (this.offered !== null) return this.offered.label;
    return endpoint.program.catalog.specs[this.labels[this.head]!]!.label;
  }

  push(label: number, payload: unknown, session: unknown): void {
    this.labels.push(label);
    this.payloads.push(payload);
    this.sessions.push(session);
  }

  /** Takes the oldest message (the inbox is not empty), for serve() draining what came before it. */
  shift(): [label: number, payload: unknown, session: unknown] {
    const i = this.head;
    const taken: [number, unknown, unknown] = [this.labels[i]!, this.payloads[i], this.sessions[i]];
    this.advance();
    return taken;
  }

  /** Completes `w` with the oldest message (the inbox is not empty). */
  settle(w: Waiter, endpoint: Endpoint, lane: number): void {
    const label = this.labels[this.head]!;
    const payload = this.payloads[this.head];
    this.advance();
    const specs = endpoint.program.catalog.specs;
    const name = specs[label]!.label;
    if (w.label < 0) {
      const branch = new OfferedBranch(this, endpoint, lane, name, payload);
      this.offered = branch;
      w.resolve(branch);
    } else if (w.label === label) {
      w.resolve(payload);
    } else {
      const expected = specs[w.label]!.label;
      w.reject(endpoint.fail(new LabelMismatch(`recv(${expected}) on ${endpoint.where(lane)}, but the next message received there is ${name}; use offer() where more than one label can come`)));
    }
  }

  /** Drops the oldest message; an emptied inbox starts its arrays over. */
  private advance(): void {
    if (++this.head === this.labels.length) this.clear();
  }

  private clear(): void {
    this.labels.length = this.payloads.length = this.sessions.length = 0;
    this.head = 0;
  }

  /** The session ended: reject a pending operation; after a fault also drop what is queued. */
  end(error: Error, faulted: boolean): void {
    const w = this.waiter;
    this.waiter = null;
    if (faulted) this.clear();
    if (w !== null) w.reject(error);
  }
}
