/**
 * A link's heartbeat: ticks every `intervalMs` (the child pings on each tick) and declares the peer dead
 * when nothing was heard from it for `deadAfterMs`. One timer; stop() leaves none behind.
 */
export class KeepAlive {
  private lastHeard = Date.now();
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    intervalMs: number,
    private readonly deadAfterMs: number,
    private readonly onTick: () => void,
    private readonly onDead: (silentMs: number) => void,
  ) {
    this.timer = setInterval(() => this.tick(), intervalMs);
    (this.timer as { unref?: () => void }).unref?.();
  }

  /** Something arrived from the peer. */
  heard(): void {
    this.lastHeard = Date.now();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    const silent = Date.now() - this.lastHeard;
    if (silent > this.deadAfterMs) {
      this.stop();
      this.onDead(silent);
    } else {
      this.onTick();
    }
  }
}

/** Keep-alive settings with their defaults applied. */
export function keepAliveTimes(options: { readonly keepAliveMs?: number; readonly deadAfterMs?: number }): { intervalMs: number; deadAfterMs: number } {
  const intervalMs = options.keepAliveMs ?? 5_000;
  return { intervalMs, deadAfterMs: options.deadAfterMs ?? 3 * intervalMs };
}
