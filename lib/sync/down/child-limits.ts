import { shortText } from "../../descriptor/short-text.js";
import { LinkLimitError } from "../link-limit-error.js";
import type { CongestionEvents } from "../link-congestion.js";
import type { LinkLimitEvent, LinkLimits } from "../link-limits.js";
import { TokenBucket } from "../token-bucket.js";

/**
 * The link's limits applied to what one child asks its parent to hold: object sessions and tags
 * (refused one over maxObjects or maxTags), the length of their keys (refused past
 * maxDescriptorLength) and the rate of opens (the link is closed over opensPerSecond). It keeps the
 * count of key characters held and the first limit the link was closed for, which becomes the link's result.
 * It is also told of the link's congestion (a slow reader is reported, a queue over its bounds closes the link).
 */
export class ChildLimits implements CongestionEvents {
  /** Opens and new tag interests the child may still make (opensPerSecond). */
  private readonly opens: TokenBucket;
  /** Length of the canonical keys of the child's open objects and tags (at most maxDescriptorLength). */
  private descriptorLength = 0;
  private closedOver: LinkLimitError | undefined;

  constructor(
    readonly limits: LinkLimits,
    /** The link: ended with `abort(message)` (called once, for the first limit it goes over). */
    private readonly link: { abort(message: string): void },
    /** Told of each refusal and congestion (the link's onLimit option). */
    private readonly onLimit: ((event: LinkLimitEvent) => void) | undefined,
    now: () => number = Date.now,
  ) {
    this.opens = new TokenBucket(limits.maxObjects + limits.maxTags, limits.opensPerSecond, now);
  }

  /** The limit the link was closed for going over, if it was: the link ends with it. */
  get error(): LinkLimitError | undefined {
    return this.closedOver;
  }

  /** Tells onLimit that a request went over `limit`, or that the link is congested. */
  hit(limit: keyof LinkLimits, what: string): void {
    this.onLimit?.({ limit, value: this.limits[limit], what });
  }

  /** Closes the link for going over a limit; `error` is what the link ends with (the first one only). */
  closeOver(error: LinkLimitError): void {
    if (this.closedOver !== undefined) return;
    this.closedOver = error;
    this.link.abort(error.message);
  }

  /** @internal The link has been congested for a while (see CongestionEvents): told to onLimit. */
  congested(queued: number, unreceipted: number, congestedMs: number): void {
    this.hit(
      "queueBytes",
      `${queued.toLocaleString("en-US")} bytes queued and ${unreceipted.toLocaleString("en-US")} not receipted for ${congestedMs} ms: ` +
        "sending only the latest state of each object until the child reads",
    );
  }

  /** @internal The link's queue went over its bounds (see CongestionEvents): the link is closed. */
  overLimit(error: LinkLimitError): void {
    this.closeOver(error);
  }

  /** Takes one of the opens the child may make; closes the link when it has made them too fast. */
  mayOpen(): boolean {
    if (this.opens.take()) return true;
    const { maxObjects, maxTags, opensPerSecond } = this.limits;
    const burst = (maxObjects + maxTags).toLocaleString("en-US");
    this.closeOver(new LinkLimitError("opensPerSecond", opensPerSecond, `the child opened objects and tags faster than that after a first ${burst}`));
    return false;
  }

  /**
   * Why the child may not have one more object or tag (`what` and its `key`), or undefined when it may:
   * it holds `held`, at the `count` limit, or the key would take the link past maxDescriptorLength.
   * A refusal is told to onLimit.
   */
  refusal(what: string, key: string, count: "maxObjects" | "maxTags", held: number): string | undefined {
    const limits = this.limits;
    let limit: keyof LinkLimits = count;
    let why: string;
    if (held >= limits[count]) why = `${held.toLocaleString("en-US")} ${count === "maxObjects" ? "object sessions are open" : "tags are held"}`;
    else if (this.descriptorLength + key.length > limits.maxDescriptorLength) {
      limit = "maxDescriptorLength";
      why = `its key of ${key.length.toLocaleString("en-US")} characters would take the link's keys past the limit`;
    } else return undefined;
    this.hit(limit, `refused ${what} ${shortText(key)}: ${why}`);
    return `${why} (${limit} ${limits[limit]})`;
  }

  /** Counts `key`, of an object or tag the child now holds, toward maxDescriptorLength. */
  hold(key: string): void {
    this.descriptorLength += key.length;
  }

  /** Takes back `key`, of an object or tag the child no longer holds. */
  release(key: string): void {
    this.descriptorLength -= key.length;
  }
}
