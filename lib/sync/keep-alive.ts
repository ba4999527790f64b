/** The time and timers a KeepAlive runs on: the system's by default, injectable for tests. */
export interface KeepAliveClock {
  /** Milliseconds, e.g. since the epoch. */
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Date.now and the global timers, which do not keep a Node process alive. */
export const SYSTEM_CLOCK: KeepAliveClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => {
    const timer = setTimeout(callback, ms);
    (timer as { unref?: () => void }).unref?.();
    return timer;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** What a KeepAlive tells: its ticks, and a peer silent for too long (then it stops). */
export interface KeepAliveListener {
  /** Runs every interval (a child pings there). */
  keepAliveTick(): void;
  /** The peer sent nothing for `silentMs`, more than deadAfterMs. */
  peerSilent(silentMs: number): void;
}

/**
 * A link's heartbeat: ticks every `intervalMs` (the child pings on each tick) and declares the peer dead
 * when nothing was heard from it for `deadAfterMs`. One timer at a time; stop() leaves none behind.
 *
 * It judges the peer by what the peer sent, never by this process's own lateness in reading it. A
 * timer that fires late (more than half an interval: the event loop was blocked) judges nothing, since
 * what the peer sent meanwhile may still wait unread; the next tick, on time, judges. A tick that finds
 * the peer silent too long does not judge at once either: it looks again after one more turn of the event
 * loop (a timer of 0 ms, which in Node runs after input waiting at the tick was read), and only a peer
 * still silent then, on a timer that was on time, is dead. So a stall of this process, however long,
 * never drops a peer that kept sending.
 */
export class KeepAlive {
  /** When the peer was last known to have sent something (the check that noticed it). */
  private lastHeard: number;
  private heardSinceCheck = false;
  private timer: unknown;
  /** When the current timer is due. */
  private due = 0;
  private stopped = false;
  /** The pending timer is the verdict's (one turn after a tick found the peer silent), not a tick's. */
  private judging = false;

  constructor(
    private readonly intervalMs: number,
    private readonly deadAfterMs: number,
    private readonly listener: KeepAliveListener,
    private readonly clock: KeepAliveClock = SYSTEM_CLOCK,
  ) {
    this.lastHeard = clock.now();
    this.schedule(intervalMs, false);
  }

  /** Something arrived from the peer (cheap: called for every frame). */
  heard(): void {
    this.heardSinceCheck = true;
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.clock.clearTimeout(this.timer);
  }

  /** Arms the one timer: a tick in `ms`, or the verdict (`judging`). */
  private schedule(ms: number, judging: boolean): void {
    this.judging = judging;
    this.due = this.clock.now() + ms;
    this.timer = this.clock.setTimeout(this.fire, ms);
  }

  /** The timer's callback (one per keep-alive, whichever timer is pending). */
  private readonly fire = (): void => {
    if (this.judging) this.verdict();
    else this.tick();
  };

  /** Whether the timer that fires at `now` is on time: late by at most half an interval. */
  private onTime(now: number): boolean {
    return now - this.due <= this.intervalMs / 2;
  }

  /** Whether the peer has been silent for more than deadAfterMs at `now`. */
  private silentTooLong(now: number): boolean {
    if (this.heardSinceCheck) {
      this.heardSinceCheck = false;
      this.lastHeard = now;
    }
    return now - this.lastHeard > this.deadAfterMs;
  }

  private tick(): void {
    const now = this.clock.now();
    const onTime = this.onTime(now);
    this.listener.keepAliveTick();
    if (this.stopped) return;
    if (onTime && this.silentTooLong(now)) this.schedule(0, true);
    else this.schedule(this.intervalMs, false);
  }

  /** One turn of the event loop after a tick found the peer silent for too long. */
  private verdict(): void {
    const now = this.clock.now();
    if (this.onTime(now) && this.silentTooLong(now)) {
      this.stop();
      this.listener.peerSilent(now - this.lastHeard);
    } else {
      this.schedule(this.intervalMs, false);
    }
  }
}

/** Keep-alive settings with their defaults applied. */
export function keepAliveTimes(options: { readonly keepAliveMs?: number; readonly deadAfterMs?: number }): { intervalMs: number; deadAfterMs: number } {
  const intervalMs = options.keepAliveMs ?? 5_000;
  return { intervalMs, deadAfterMs: options.deadAfterMs ?? 3 * intervalMs };
}
