/**
 * The participants of one object (its observers, its exposers) as the exchange keeps them: nothing,
 * the one member itself, or a frozen array of two or more. Most objects have one observer and one
 * exposer per node, and a one-member array would cost 56 bytes for each of them. A list is replaced,
 * never changed, so a delivery iterating the members is never disturbed by a callback adding or
 * removing one. Members are objects and never arrays (participants are class instances).
 */
export type MemberList<T extends object> = T | readonly T[] | undefined;

/** How many members `list` has. */
export function memberCount<T extends object>(list: MemberList<T>): number {
  return list === undefined ? 0 : Array.isArray(list) ? list.length : 1;
}

/** The `index`th member of `list` (0 ≤ index < memberCount(list)). */
export function memberAt<T extends object>(list: MemberList<T>, index: number): T {
  return (Array.isArray(list) ? list[index] : list) as T;
}

/** Whether `member` is in `list`. */
export function hasMember<T extends object>(list: MemberList<T>, member: T): boolean {
  return Array.isArray(list) ? list.includes(member) : list === member;
}

/** `list` with `member` added (the same list if it was there). */
export function withMember<T extends object>(list: MemberList<T>, member: T): MemberList<T> {
  if (list === undefined) return member;
  if (hasMember(list, member)) return list;
  if (!Array.isArray(list)) return Object.freeze([list as T, member]);
  const members = list as readonly T[];
  const next = new Array<T>(members.length + 1);
  for (let i = 0; i < members.length; i++) next[i] = members[i]!;
  next[members.length] = member;
  return Object.freeze(next);
}

/** `list` without `member` (the same list if it was not there). */
export function withoutMember<T extends object>(list: MemberList<T>, member: T): MemberList<T> {
  if (!Array.isArray(list)) return list === member ? undefined : list;
  const members = list as readonly T[];
  const index = members.indexOf(member);
  if (index < 0) return list;
  if (members.length === 2) return members[1 - index];
  const next = new Array<T>(members.length - 1);
  for (let i = 0, j = 0; i < members.length; i++) if (i !== index) next[j++] = members[i]!;
  return Object.freeze(next);
}
