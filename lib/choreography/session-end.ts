/**
 * How a session ends, in one place: a clean end (the protocol completed, or close() where the protocol
 * may end), an abort, a fault, and an end from below (the peer's reset or the connection's loss). The
 * first end wins; it lets go of the session's machinery, tells the peer through the connection, and
 * then tells whoever waits (the `closed` promise and onEnd listeners). Endpoint builds on it.
 */
import { ChoreographyError, PhaseInvariant, SessionFault, TransportError } from "./errors.js";
import type { Connection, EndNotice } from "./connection.js";
import type { Event } from "./global.js";
import type { RoleProgram } from "./role-program.js";
import { SessionExtras, type SessionEndListener } from "./session-extras.js";
import { TAP_CLOSE, TAP_FAULT } from "./tap-ring.js";

/** "open" while running; "done" after a clean end; "faulted" after the first fault. */
export type EndpointStatus = "open" | "done" | "faulted";

/** A session that can end: its status, the fault that ended it, and who is told. */
export abstract class EndableSession<E extends Event = Event, R extends string = string> {
  /** @internal */
  protected extras: SessionExtras | undefined = undefined;
  /** The first onEnd listener (usually the only one: whoever serves the session). */
  private endListener: SessionEndListener | undefined = undefined;

  /** @internal Sessions are made by createEndpoint and by announcements. */
  constructor(
    /** @internal */
    protected readonly connection: Connection,
  ) {}

  /** The role program this session runs. */
  abstract get program(): RoleProgram<E, R>;

  /** The session id on the connection. */
  abstract get session(): number;

  /** @internal "open" while running, then how it ended; set only while the session has not let go of what it holds. */
  protected abstract get status(): EndpointStatus;
  protected abstract set status(status: EndpointStatus);

  /**
   * @internal Lets go of what the session holds (pending operations get `fault`, or an after-end error for a clean
   * end) and has the connection tell the peer as `notice` says.
   */
  protected abstract release(fault: Error | undefined, notice: EndNotice): void;

  /** @internal What keeps the session from ending cleanly now, or undefined when it may. */
  protected abstract unfinished(): string | undefined;

  /** Resolves when the session ends: undefined for a clean end, or the fault that ended it. Never rejects. */
  get closed(): Promise<Error | undefined> {
    const extras = (this.extras ??= new SessionExtras());
    if (extras.closedPromise === undefined) {
      extras.closedPromise =
        this.status === "open" ? new Promise((resolve) => (extras.resolveClosed = resolve)) : Promise.resolve(extras.fault);
    }
    return extras.closedPromise;
  }

  /**
   * Tells `listener` once when the session ends, with the fault or undefined for a clean end (at once
   * if it already has). Cheaper than `closed` where a connection carries many sessions; an object with a
   * `sessionEnded` method saves a closure per session.
   */
  onEnd(listener: SessionEndListener): void {
    if (this.status !== "open") {
      tell(listener, this.fault);
      return;
    }
    if (this.endListener === undefined) this.endListener = listener;
    else ((this.extras ??= new SessionExtras()).moreEndListeners ??= []).push(listener);
  }

  /** "open", "done" (clean end) or "faulted". */
  get state(): EndpointStatus {
    return this.status;
  }

  /** The fault that ended the session, if one did. */
  get fault(): Error | undefined {
    return this.extras?.fault;
  }

  /**
   * Ends the session cleanly. Allowed when the protocol is complete or every running lane is at a loop
   * that nothing follows; otherwise it is a PhaseInvariant fault (use abort() to end early).
   */
  close(): void {
    if (this.status !== "open") return;
    const work = this.unfinished();
    if (work !== undefined) throw this.fail(new PhaseInvariant(`close() on session ${this.session} while ${work}; use abort() to end a session early`));
    this.finish("closed by the application", "reset");
  }

  /** Ends the session now with a SessionFault (the peer is told through the wire). */
  abort(reason?: string): void {
    this.fail(new SessionFault(`session ${this.session} (${this.program.role}) was aborted by the application${reason === undefined ? "" : `: ${reason}`}`));
  }

  /** @internal The error for an operation attempted after the session ended (not itself a new fault). */
  afterEnd(op: string): PhaseInvariant {
    const fault = this.fault;
    const how = fault === undefined ? "cleanly" : `with ${fault.name}: ${fault.message}`;
    return new PhaseInvariant(`${op} on session ${this.session} (${this.program.role}) after it ended ${how}`, { cause: fault });
  }

  /**
   * @internal Ends the session with `error` if it is still open, telling the peer as `notice` says (by
   * default this side ends it: a reset carries `error`); returns `error` for throwing.
   */
  fail(error: Error, notice: EndNotice = "reset"): Error {
    if (this.status !== "open") return error;
    this.status = "faulted";
    (this.extras ??= new SessionExtras()).fault = error;
    this.connection.tap?.record(TAP_FAULT, this.session, -1, this.program.role, "", `${error.name}: ${error.message}`);
    this.release(error, notice);
    this.settleClosed(error);
    return error;
  }

  /**
   * @internal The session ended below the runtime (cleanly, or with the error that ended it): the peer
   * ended it, and is answered, or the connection is gone.
   */
  closeFromWire(error: Error | undefined): void {
    if (this.status !== "open") return;
    if (error === undefined) {
      const work = this.unfinished();
      if (work === undefined) this.finish("closed by the peer", "answer");
      else this.fail(new TransportError(`session ${this.session} (${this.program.role}) was closed by the peer while ${work}`), "answer");
    } else {
      this.fail(
        error instanceof ChoreographyError ? error : new TransportError(`session ${this.session} (${this.program.role}) lost its connection: ${error.message}`, { cause: error }),
        "answer",
      );
    }
  }

  /** @internal Clean end: the protocol completed or the session closed at a point where it may end. */
  protected finish(reason: string, notice: EndNotice): void {
    if (this.status !== "open") return;
    this.status = "done";
    this.connection.tap?.record(TAP_CLOSE, this.session, -1, this.program.role, "", reason);
    this.release(undefined, notice);
    this.settleClosed(undefined);
  }

  /** Tells whoever waits that the session ended (the `closed` promise and onEnd listeners). */
  private settleClosed(error: Error | undefined): void {
    const first = this.endListener;
    this.endListener = undefined;
    const extras = this.extras;
    if (extras !== undefined) {
      extras.resolveClosed?.(error);
      extras.resolveClosed = undefined;
    }
    if (first !== undefined) tell(first, error);
    const more = extras?.moreEndListeners;
    if (extras !== undefined) extras.moreEndListeners = undefined;
    if (more !== undefined) for (const listener of more) tell(listener, error);
  }
}

function tell(listener: SessionEndListener, error: Error | undefined): void {
  if (typeof listener === "function") listener(error);
  else listener.sessionEnded(error);
}
