/**
 * One lane of an endpoint: its position in the role program, the messages received but not yet taken,
 * and the application's operations on it (send, recv, offer, serve). Parallel lanes of a par run
 * independently; lane 0 is the session's main lane.
 */
import { AffineViolation, LabelMismatch, PhaseInvariant, SessionFault } from "./errors.js";
import type { Endpoint } from "./endpoint.js";
import type { Branch, Handlers, OfferOf, RecvLabel, RecvPayload, SendLabel, SendPayload, SessionOf, SentBy } from "./endpoint-types.js";
import type { Event } from "./global.js";
import type { MessageWithLabel } from "./message.js";
import { END, RECV, SEND } from "./role-program.js";

type Handler = (this: unknown, payload: unknown, session: unknown) => void;

interface Waiter {
  /** Expected label id, or -1 for offer(). */
  readonly label: number;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
}

function noop(): void {}

/** A promise that is already rejected but never reported as unhandled. */
function rejected<T>(error: Error): Promise<T> {
  const p = Promise.reject(error);
  p.catch(noop);
  return p;
}

/** A promise handed to the application; its rejection is never reported as unhandled if nobody awaits it. */
function pending<T>(executor: (resolve: (value: T) => void, reject: (error: Error) => void) => void): Promise<T> {
  const p = new Promise<T>(executor);
  p.catch(noop);
  return p;
}

class OfferedBranch implements Branch<string, unknown> {
  private spent = false;
  constructor(
    private readonly lane: Lane,
    readonly label: string,
    private readonly payload: unknown,
  ) {}

  recv(): unknown {
    const ep = this.lane.endpoint;
    if (this.spent) {
      throw ep.fail(new AffineViolation(`the offered ${this.label} on ${ep.where(this.lane.id)} was already taken; each offered branch can be committed once`));
    }
    this.spent = true;
    this.lane.offered = null;
    if (ep.fault !== undefined) throw ep.afterEnd(`taking the offered ${this.label}`);
    return this.payload;
  }
}

/** One parallel lane of an endpoint. */
export class Lane<E extends Event = Event, R extends string = string> {
  /** @internal Current state in the role program (-1 before the lane first starts). */
  state = -1;
  /** @internal Lanes of the current fork that have not ended yet (while this lane waits at a FORK). */
  pendingChildren = 0;
  /** @internal An offered branch not yet committed. */
  offered: OfferedBranch | null = null;
  /** Received messages nobody took yet; made on first use (most served lanes never queue anything). */
  private queue: Backlog | undefined;
  private waiter: Waiter | null = null;
  /** The serve() handlers, looked up by label name (no per-lane table: sessions can be many). */
  private handlers: Readonly<Record<string, unknown>> | null = null;

  /** @internal Lanes are created by their endpoint. */
  constructor(
    readonly endpoint: Endpoint<E, R>,
    readonly id: number,
  ) {}

  /** True once the lane reached its end (it may start again if a loop re-runs its par). */
  get finished(): boolean {
    return this.state >= 0 && this.endpoint.program.kinds[this.state] === END;
  }

  /**
   * Sends one message on this lane; the label must be permitted by the current step. For an
   * announcement, the sub-session is opened first and returned.
   */
  send<L extends SendLabel<E, R>>(label: L, payload: SendPayload<E, R, L>): SessionOf<MessageWithLabel<SentBy<E, R>, L>, R> {
    return this.endpoint.sendOn(this, label, payload) as SessionOf<MessageWithLabel<SentBy<E, R>, L>, R>;
  }

  /** Receives the next message of this lane, which must have label `label`. */
  recv<L extends RecvLabel<E, R>>(label: L): Promise<RecvPayload<E, R, L>> {
    return this.take(label) as Promise<RecvPayload<E, R, L>>;
  }

  /** Waits for the next message of this lane and previews its label; `branch.recv()` commits it. */
  offer(): Promise<OfferOf<E, R>> {
    return this.take(undefined) as Promise<OfferOf<E, R>>;
  }

  /**
   * Dispatches every message this lane receives, now and from now on, synchronously to `handlers`
   * (one per label the lane can receive), without a promise per message. Messages already received are
   * dispatched before serve() returns. A handler that throws ends the session with a SessionFault.
   */
  serve(handlers: Handlers<E, R>): void {
    const ep = this.endpoint;
    if (ep.state === "faulted") throw ep.afterEnd(`serve() on ${ep.program.laneName(this.id)}`);
    if (this.handlers !== null) throw ep.fail(new PhaseInvariant(`serve() was already called on ${ep.where(this.id)}`));
    if (this.waiter !== null || this.offered !== null) {
      throw ep.fail(new PhaseInvariant(`serve() on ${ep.where(this.id)} while a recv()/offer() is pending or an offered branch is not committed`));
    }
    const program = ep.program;
    const specs = program.catalog.specs;
    const receives = program.lanes[this.id]!.receives;
    const given = handlers as Readonly<Record<string, unknown>>;
    for (const label of receives) {
      if (typeof given[specs[label]!.label] !== "function") {
        const all = receives.map((l) => specs[l]!.label).join(", ");
        throw ep.fail(new PhaseInvariant(`serve() on ${ep.where(this.id)} has no handler for ${specs[label]!.label}; this lane can receive ${all}`));
      }
    }
    // A handler for a label this lane never receives is a mistake (fields that are not functions, as
    // on a handler class instance, are not handlers).
    for (const name of Object.keys(given)) {
      if (typeof given[name] !== "function") continue;
      const id = program.catalog.ids.get(name);
      if (id === undefined || !receives.includes(id)) {
        throw ep.fail(new PhaseInvariant(`serve() on ${ep.where(this.id)} has a handler for ${name}, which this lane never receives`));
      }
    }
    this.handlers = given;
    const queue = this.queue;
    while (queue !== undefined && queue.size > 0 && ep.fault === undefined) {
      const i = queue.head++;
      this.dispatch(queue.labels[i]!, queue.payloads[i], queue.sessions[i]);
    }
    this.compact();
  }

  /** @internal Hands a validated inbound message to serve handlers, a pending recv/offer, or the queue. */
  deliver(label: number, payload: unknown, session: unknown): void {
    if (this.handlers !== null) {
      this.dispatch(label, payload, session);
      return;
    }
    const queue = (this.queue ??= new Backlog());
    queue.labels.push(label);
    queue.payloads.push(payload);
    queue.sessions.push(session);
    const w = this.waiter;
    if (w !== null) {
      this.waiter = null;
      this.settle(w);
    }
  }

  /** @internal Whether received messages are waiting to be taken. */
  get backlog(): number {
    return (this.queue?.size ?? 0) + (this.offered === null ? 0 : 1);
  }

  /** @internal The label of the next message waiting to be taken. */
  nextLabel(): string {
    const label = this.offered?.label;
    if (label !== undefined) return label;
    const queue = this.queue!;
    return this.endpoint.program.catalog.specs[queue.labels[queue.head]!]!.label;
  }

  /** @internal The session ended: reject a pending operation; after a fault also drop what is queued. */
  end(error: Error, faulted: boolean): void {
    const w = this.waiter;
    this.waiter = null;
    this.handlers = null;
    if (faulted) this.queue = undefined;
    if (w !== null) w.reject(error);
  }

  private dispatch(label: number, payload: unknown, session: unknown): void {
    const handlers = this.handlers!;
    const ep = this.endpoint;
    const name = ep.program.catalog.specs[label]!.label;
    try {
      (handlers[name] as Handler).call(handlers, payload, session);
    } catch (error) {
      ep.fail(new SessionFault(`the serve() handler for ${name} on ${ep.where(this.id)} threw: ${String((error as Error)?.message ?? error)}`, { cause: error }));
    }
  }

  private take(label: string | undefined): Promise<unknown> {
    const ep = this.endpoint;
    const op = label === undefined ? "offer()" : `recv(${label})`;
    if (ep.state === "faulted") return rejected(ep.afterEnd(op));
    if (this.offered !== null) {
      return rejected(ep.fail(new PhaseInvariant(`${op} on ${ep.where(this.id)} before the offered ${this.offered.label} was committed with branch.recv()`)));
    }
    if (this.handlers !== null) return rejected(ep.fail(new PhaseInvariant(`${op} on ${ep.where(this.id)}, which is served by serve() handlers`)));
    const program = ep.program;
    const id = label === undefined ? -1 : program.catalog.ids.get(label);
    if (id === undefined) return rejected(ep.fail(new LabelMismatch(`${op}: "${label}" is not a label of this protocol`)));
    if (this.queue !== undefined && this.queue.size > 0) {
      return pending((resolve, reject) => this.settle({ label: id, resolve, reject }));
    }
    if (ep.state === "done") return rejected(ep.afterEnd(op));
    if (this.waiter !== null) return rejected(ep.fail(new PhaseInvariant(`${op} on ${ep.where(this.id)} while another recv()/offer() is pending there`)));
    const s = this.state;
    if (s >= 0) {
      const kind = program.kinds[s];
      if (kind === SEND) {
        return rejected(ep.fail(new PhaseInvariant(`${op} on ${ep.where(this.id)}, but ${program.role} is expected ${program.describeState(s)}: it is its turn to send`)));
      }
      if (kind === END) return rejected(ep.fail(new PhaseInvariant(`${op} on ${ep.where(this.id)}, which has finished`)));
      if (kind === RECV && id >= 0 && program.next[s * program.labelCount + id]! < 0) {
        return rejected(ep.fail(new LabelMismatch(`${op} on ${ep.where(this.id)}, but ${program.role} is expected ${program.describeState(s)}`)));
      }
      // At a FORK the lane waits for its parallel lanes; the message comes after the join.
    }
    return pending((resolve, reject) => {
      this.waiter = { label: id, resolve, reject };
    });
  }

  /** Completes `w` with the queue's head (the queue is not empty). */
  private settle(w: Waiter): void {
    const queue = this.queue!;
    const i = queue.head++;
    const label = queue.labels[i]!;
    const payload = queue.payloads[i];
    this.compact();
    const ep = this.endpoint;
    const name = ep.program.catalog.specs[label]!.label;
    if (w.label < 0) {
      const branch = new OfferedBranch(this as unknown as Lane, name, payload);
      this.offered = branch;
      w.resolve(branch);
    } else if (w.label === label) {
      w.resolve(payload);
    } else {
      const expected = ep.program.catalog.specs[w.label]!.label;
      w.reject(ep.fail(new LabelMismatch(`recv(${expected}) on ${ep.where(this.id)}, but the next message received there is ${name}; use offer() where more than one label can come`)));
    }
  }

  private compact(): void {
    if (this.queue !== undefined && this.queue.size === 0) this.queue = undefined;
  }
}

/** A lane's received messages in order, with their sub-sessions, taken from `head` on. */
class Backlog {
  readonly labels: number[] = [];
  readonly payloads: unknown[] = [];
  readonly sessions: unknown[] = [];
  head = 0;

  get size(): number {
    return this.labels.length - this.head;
  }
}
