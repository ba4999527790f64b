import type { ObjectDescriptor } from "../../descriptor/object-descriptor.js";
import { TokenBucket } from "../token-bucket.js";
import type { WireState } from "../wire-state.js";
import { wireStateBytes } from "../wire-state-bytes.js";

/**
 * The bytes of states a child may push per second under its grants' quota (bytesPerSecond). A state
 * over it is dropped, and a later one within it carries the latest data; drops are audited at most
 * once a second, so a child pushing flat out makes one audit event a second, not one per state.
 */
export class PushQuota {
  /** The bytes the child may still push at `rate` (undefined: unbounded). */
  private budget: { readonly rate: number; readonly bucket: TokenBucket } | undefined;
  /** When a state over the quota was last audited. */
  private auditedAt = -Infinity;

  constructor(
    /** The link, told (to audit it) that a state of `object` went over `rate` bytes per second. */
    private readonly link: { overPushQuota(object: ObjectDescriptor, rate: number): void },
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes `rate` (bytes per second, undefined: unbounded) from the grants; a changed rate starts a full budget. */
  setRate(rate: number | undefined): void {
    if (rate === this.budget?.rate) return;
    this.budget = rate === undefined ? undefined : { rate, bucket: new TokenBucket(rate, rate, this.now) };
  }

  /** Whether `wire`, a state of `object`, is within the quota (and takes its bytes from it). */
  mayPush(object: ObjectDescriptor, wire: WireState): boolean {
    const budget = this.budget;
    if (budget === undefined || budget.bucket.take(wireStateBytes(wire))) return true;
    const now = this.now();
    if (now - this.auditedAt >= 1000) {
      this.auditedAt = now;
      this.link.overPushQuota(object, budget.rate);
    }
    return false;
  }
}
