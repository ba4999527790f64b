/**
 * Bounds a policy rule puts on each link of its principals (the rule's `limits`); each one left out is
 * unbounded. What goes past a bound is refused on that link like a missing grant.
 */
export interface Quota {
  /** Most objects the link may have interest in at once (observed or exposed, directly or through a tag). */
  readonly objects?: number;
  /** Most tags the link may observe or expose at once. */
  readonly tags?: number;
  /** Most bytes of object states per second the link may push to its parent. */
  readonly bytesPerSecond?: number;
}
