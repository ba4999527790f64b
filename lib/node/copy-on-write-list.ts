/**
 * The participants of one object (its observers, its exposers) are kept in plain frozen arrays that are
 * replaced, never changed: usually one or two members, so an array costs far less than a Set (144 bytes
 * empty), and a delivery iterating the members is never disturbed by a callback adding or removing one.
 */

/** The empty list every object starts with. */
export const EMPTY_LIST: readonly never[] = Object.freeze([]);

/** `list` with `member` added (the same list if it was there). */
export function withMember<T>(list: readonly T[], member: T): readonly T[] {
  return list.includes(member) ? list : [...list, member];
}

/** `list` without `member` (the same list if it was not there). */
export function withoutMember<T>(list: readonly T[], member: T): readonly T[] {
  const index = list.indexOf(member);
  if (index < 0) return list;
  return list.length === 1 ? EMPTY_LIST : list.filter((_, i) => i !== index);
}
