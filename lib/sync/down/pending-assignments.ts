/**
 * Objects elected to one of a child's tag exposers before the child opened their session, by key:
 * the session takes its assignment when it opens, and an assignment lost before that is dropped only
 * by the tag exposer that holds it (another may have been elected since).
 */
export class PendingAssignments<Tag> {
  /** Made at the first assignment (most links never have one pending). */
  private pending: Map<string, Tag> | undefined;

  /** `tag` was elected for the object `key`, which the child has no session of. */
  assign(key: string, tag: Tag): void {
    (this.pending ??= new Map()).set(key, tag);
  }

  /** `tag` lost the object `key`: dropped if it is the one pending. */
  release(key: string, tag: Tag): void {
    if (this.pending?.get(key) === tag) this.pending.delete(key);
  }

  /** Whether an assignment of `key` waits for the child's session. */
  has(key: string): boolean {
    return this.pending?.has(key) ?? false;
  }

  /** The assignment of `key`, handed to the session the child just opened (and no longer pending). */
  take(key: string): Tag | undefined {
    const pending = this.pending;
    if (pending === undefined) return undefined;
    const tag = pending.get(key);
    pending.delete(key);
    return tag;
  }

  /** Drops every pending assignment (the link ended). */
  clear(): void {
    this.pending = undefined;
  }
}
