/**
 * The participants of one object (its observers, its exposers) are kept in plain frozen arrays that are
 * replaced, never changed: usually one or two members, so an array costs far less than a Set (144 bytes
 * empty), and a delivery iterating the members is never disturbed by a callback adding or removing one.
 */

/** The empty list every object starts with. */
export const EMPTY_LIST: readonly never[] = Object.freeze([]);

/** `list` with `member` added (the same list if it was there). */
export function withMember<T>(list: readonly T[], member: T): readonly T[] {
  if (list.includes(member)) return list;
  const next = new Array<T>(list.length + 1);
  for (let i = 0; i < list.length; i++) next[i] = list[i]!;
  next[list.length] = member;
  return next;
}

/** `list` without `member` (the same list if it was not there). */
export function withoutMember<T>(list: readonly T[], member: T): readonly T[] {
  const index = list.indexOf(member);
  if (index < 0) return list;
  if (list.length === 1) return EMPTY_LIST;
  const next = new Array<T>(list.length - 1);
  for (let i = 0, j = 0; i < list.length; i++) if (i !== index) next[j++] = list[i]!;
  return next;
}
