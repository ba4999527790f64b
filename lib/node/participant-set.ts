/**
 * The participants of one object (its observers, its exposers): usually one or two, so a plain array
 * instead of a Set (a Set costs 144 bytes empty). Copy-on-write: add and delete replace the array, so a
 * delivery iterating the members is never disturbed by a callback that adds or removes one.
 */
export class ParticipantSet<T> implements Iterable<T> {
  private members: readonly T[] = NONE as readonly T[];

  get size(): number {
    return this.members.length;
  }

  has(member: T): boolean {
    return this.members.includes(member);
  }

  add(member: T): void {
    if (!this.members.includes(member)) this.members = [...this.members, member];
  }

  /** Removes `member`; returns whether it was there. */
  delete(member: T): boolean {
    const members = this.members;
    const index = members.indexOf(member);
    if (index < 0) return false;
    this.members = members.length === 1 ? (NONE as readonly T[]) : members.filter((_, i) => i !== index);
    return true;
  }

  [Symbol.iterator](): Iterator<T> {
    return this.members[Symbol.iterator]();
  }
}

const NONE: readonly unknown[] = Object.freeze([]);
