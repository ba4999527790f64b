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

  /**
   * Takes `amount` tokens (default one); false when not even one is left (the event is over the rate,
   * and takes nothing). An amount above what is left is taken as a debt that later tokens pay back, so
   * an event bigger than the capacity still passes once the bucket is full, and the average rate holds.
   */
  take(amount = 1): boolean {
    const now = this.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.refilledAt) * this.perSecond) / 1000);
    this.refilledAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= amount;
    return true;
  }
}
