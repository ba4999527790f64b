/**
 * A rate limit that allows bursts: it holds up to `capacity` tokens, starts full, and gains
 * `perSecond` tokens a second; each event takes one, and an event that finds none is over the rate.
 * Time is read only when a token is taken (no timers).
 */
export class TokenBucket {
  private tokens: number;
  private refilledAt: number;

  constructor(
    private readonly capacity: number,
    private readonly perSecond: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = capacity;
    this.refilledAt = now();
  }

  /** Takes a token; false when there is none (the event is over the rate, and takes nothing). */
  take(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.refilledAt) * this.perSecond) / 1000);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens--;
    return true;
  }
}
