import { type Observable, ReplaySubject } from "rxjs";
import type { Carrier, CarrierHandlers } from "./carrier.js";

/** Where a connector stands: dialing, up, waiting to redial, or stopped for good. */
export type ConnectorStatus = "connecting" | "connected" | "disconnected" | "closed";

/** The timer functions a connector uses; injectable so tests can drive backoff deterministically. */
export interface ConnectorTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Options of `ReconnectingConnector`. */
export interface ReconnectingConnectorOptions {
  /** Opens one carrier; should give up when `signal` aborts (the connector aborts it on close). */
  readonly dial: (signal: AbortSignal) => Promise<Carrier>;
  /**
   * Receives each new connection. It must `attach()` to the carrier: the connector learns through
   * that consumer's close handler when to redial.
   */
  readonly onCarrier: (carrier: Carrier) => void;
  /** Told about each failed dial and how long until the next attempt, for logs; must not throw. */
  readonly onDialError?: (error: unknown, retryInMs: number) => void;
  /** Upper bound of the first retry delay (default 100 ms). */
  readonly initialDelayMs?: number;
  /** Cap of the retry delay bound (default 10 000 ms). */
  readonly maxDelayMs?: number;
  /** Growth of the delay bound per failed attempt (default 2). */
  readonly factor?: number;
  /** A connection that stays up this long resets the backoff (default 5 000 ms). */
  readonly stableAfterMs?: number;
  /**
   * Count a connection toward resetting the backoff only once the consumer vouches for it with
   * `confirm()` (its own handshake succeeded), so a peer that accepts connections but never completes
   * the handshake keeps being backed off (default false: counted from the moment the carrier is open).
   */
  readonly confirmConnections?: boolean;
  /** Uniform random numbers in [0, 1) for the jitter (default Math.random). */
  readonly random?: () => number;
  /** Timer functions (default the global setTimeout/clearTimeout, looked up at call time). */
  readonly timers?: ConnectorTimers;
}

const globalTimers: ConnectorTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * Keeps one carrier up: dials at once, and after every dial failure or lost connection redials with
 * capped exponential backoff and full jitter (a random delay in [0, min(max, initial × factor^n))), so
 * many clients of a restarted server do not come back in lockstep.
 */
export class ReconnectingConnector {
  readonly #options: ReconnectingConnectorOptions;
  readonly #timers: ConnectorTimers;
  readonly #random: () => number;
  readonly #status$ = new ReplaySubject<ConnectorStatus>(1);
  #status: ConnectorStatus | undefined;
  /** Failed attempts since the last stable connection. */
  #attempt = 0;
  #retryTimer: unknown;
  #stableTimer: unknown;
  /** Whether the stable timer runs for the current connection. */
  #stableCounting = false;
  /** The current connection as handed to `onCarrier`. */
  #handedOut: Carrier | undefined;
  #dialing: { readonly abort: AbortController; readonly settled: Promise<void> } | undefined;
  #carrier: Carrier | undefined;
  #closed = false;

  constructor(options: ReconnectingConnectorOptions) {
    this.#options = options;
    this.#timers = options.timers ?? globalTimers;
    this.#random = options.random ?? Math.random;
    for (const [name, value, min] of [
      ["initialDelayMs", options.initialDelayMs, 0],
      ["maxDelayMs", options.maxDelayMs, 0],
      ["factor", options.factor, 1],
      ["stableAfterMs", options.stableAfterMs, 0],
    ] as const) {
      if (value !== undefined && !(Number.isFinite(value) && value >= min)) {
        throw new RangeError(`ReconnectingConnector option ${name} must be a finite number >= ${min}, got ${value}.`);
      }
    }
    this.status$ = this.#status$.asObservable();
    this.#dial();
  }

  /** The current status (replayed to each subscriber), then every change; completes after "closed". */
  readonly status$: Observable<ConnectorStatus>;

  /** The current status. */
  get status(): ConnectorStatus {
    return this.#status ?? "connecting";
  }

  /**
   * Vouches for `carrier` (one handed to `onCarrier`): the consumer's handshake over it succeeded, so
   * once it has stayed up `stableAfterMs` from now the backoff resets. Ignored for a carrier that is
   * no longer the current one, and when the connection already counts.
   */
  confirm(carrier: Carrier): void {
    if (!this.#closed && carrier === this.#handedOut && !this.#stableCounting) this.#countStable();
  }

  /**
   * Stops for good: no more dials, an in-flight dial is aborted, the current carrier is closed.
   * Resolves once nothing is left running.
   */
  async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#timers.clearTimeout(this.#retryTimer);
      this.#timers.clearTimeout(this.#stableTimer);
      this.#dialing?.abort.abort();
      this.#carrier?.close("connector closed");
      this.#carrier = undefined;
      this.#handedOut = undefined;
      this.#setStatus("closed");
      this.#status$.complete();
    }
    await this.#dialing?.settled;
  }

  /** The upper bound of the next retry delay. */
  #delayBound(): number {
    const { initialDelayMs = 100, maxDelayMs = 10_000, factor = 2 } = this.#options;
    return Math.min(maxDelayMs, initialDelayMs * factor ** this.#attempt);
  }

  #dial(): void {
    this.#setStatus("connecting");
    const abort = new AbortController();
    const attempt = (async () => this.#options.dial(abort.signal))();
    const settled = attempt.then(
      (carrier) => this.#connected(carrier),
      (error: unknown) => this.#failed(error),
    );
    this.#dialing = { abort, settled };
    const forget = (): void => {
      if (this.#dialing?.settled === settled) this.#dialing = undefined;
    };
    void settled.then(forget, forget);
  }

  #connected(carrier: Carrier): void {
    if (this.#closed) {
      carrier.close("connector closed");
      return;
    }
    this.#carrier = carrier;
    this.#setStatus("connected");
    if (this.#options.confirmConnections !== true) this.#countStable();
    const onClose = (): void => {
      if (this.#carrier !== carrier) return;
      this.#carrier = undefined;
      this.#handedOut = undefined;
      this.#stableCounting = false;
      this.#timers.clearTimeout(this.#stableTimer);
      if (!this.#closed) this.#retry();
    };
    const watched = new WatchedCarrier(carrier, onClose);
    this.#handedOut = watched;
    try {
      this.#options.onCarrier(watched);
    } catch (error) {
      carrier.close(`the connector's carrier callback threw: ${error instanceof Error ? error.message : String(error)}`);
      onClose();
    }
  }

  /** Starts the timer after which the current connection counts as stable and the backoff resets. */
  #countStable(): void {
    this.#stableCounting = true;
    this.#stableTimer = this.#timers.setTimeout(() => {
      this.#attempt = 0;
    }, this.#options.stableAfterMs ?? 5_000);
  }

  #failed(error: unknown): void {
    if (this.#closed) return;
    const delay = this.#retry();
    this.#options.onDialError?.(error, delay);
  }

  /** Schedules the next dial after a jittered backoff delay, and returns that delay. */
  #retry(): number {
    const delay = this.#random() * this.#delayBound();
    this.#attempt++;
    this.#setStatus("disconnected");
    this.#retryTimer = this.#timers.setTimeout(() => this.#dial(), delay);
    return delay;
  }

  #setStatus(status: ConnectorStatus): void {
    if (this.#status === status) return;
    this.#status = status;
    this.#status$.next(status);
  }
}

/** Hands a carrier on unchanged, while letting the connector see when it closes. */
class WatchedCarrier implements Carrier {
  readonly #carrier: Carrier;
  readonly #onClose: () => void;

  constructor(carrier: Carrier, onClose: () => void) {
    this.#carrier = carrier;
    this.#onClose = onClose;
  }

  get peer(): string {
    return this.#carrier.peer;
  }

  get state(): "open" | "closed" {
    return this.#carrier.state;
  }

  get bufferedAmount(): number {
    return this.#carrier.bufferedAmount;
  }

  attach(handlers: CarrierHandlers): void {
    this.#carrier.attach({
      message: (bytes) => handlers.message(bytes),
      close: (event) => {
        try {
          handlers.close(event);
        } finally {
          this.#onClose();
        }
      },
    });
  }

  send(bytes: Uint8Array): void {
    this.#carrier.send(bytes);
  }

  close(reason?: string): void {
    this.#carrier.close(reason);
  }
}
