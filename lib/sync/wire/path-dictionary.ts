/**
 * JSON Patch paths interned per object, so that a path a state changed before goes as one byte.
 *
 * The SENDING node keeps one PathDictionary per object, shared by all its links (so a diff encoded once
 * refers to the same indices for every receiver): append-only, at most MAX_INTERNED_PATHS entries of at
 * most MAX_INTERNED_PATH_BYTES bytes; beyond that, paths go literally. Each receiver keeps a PathTable per
 * object session, a prefix of the sender's dictionary: a message using an index the receiver may lack
 * carries the missing definitions first (see state-codec.ts), and the sender remembers per link how many
 * entries its receiver has (OutboundPaths).
 */

/** Most paths one object's dictionary (and so a receiver's table) holds. */
export const MAX_INTERNED_PATHS = 1024;
/** Longest path interned, in UTF-8 bytes (checked as characters on the sending side: never more bytes). */
export const MAX_INTERNED_PATH_BYTES = 128;

/** One object's paths on the sending node, by index (append-only). */
export class PathDictionary {
  readonly paths: string[] = [];
  /** Indices by path, made once the dictionary outgrows a linear search (most objects never do: memory per object counts). */
  private indices: Map<string, number> | undefined;

  /** The index of `path`, interned now if it is new and fits; undefined when it must go literally. */
  intern(path: string): number | undefined {
    const paths = this.paths;
    const known = this.indices === undefined ? paths.indexOf(path) : (this.indices.get(path) ?? -1);
    if (known >= 0) return known;
    if (paths.length >= MAX_INTERNED_PATHS || !fits(path)) return undefined;
    const index = paths.length;
    paths.push(path);
    if (this.indices !== undefined) this.indices.set(path, index);
    else if (paths.length > LINEAR_SEARCH) this.indices = new Map(paths.map((each, i) => [each, i]));
    return index;
  }
}

/** Paths a dictionary finds by linear search before it keeps a map of them. */
const LINEAR_SEARCH = 32;

/** What one link's receiver holds of a PathDictionary: how many of its entries were sent to it. */
export class OutboundPaths {
  /** Entries of `dictionary` the receiver holds (it got their definitions). */
  known = 0;

  constructor(readonly dictionary: PathDictionary) {}
}

/** The paths one object session's receiver holds, by index: a prefix of the sender's dictionary. */
export class PathTable {
  readonly paths: string[] = [];
}

const dictionaries = new WeakMap<object, PathDictionary>();

/** The path dictionary of `object` (an object's entry in the exchange), made on first use. */
export function pathDictionaryOf(object: object): PathDictionary {
  let dictionary = dictionaries.get(object);
  if (dictionary === undefined) dictionaries.set(object, (dictionary = new PathDictionary()));
  return dictionary;
}

/** Whether `path` takes at most MAX_INTERNED_PATH_BYTES bytes of UTF-8 (a character takes 1 to 3). */
function fits(path: string): boolean {
  if (path.length > MAX_INTERNED_PATH_BYTES) return false;
  return 3 * path.length <= MAX_INTERNED_PATH_BYTES || utf8.encode(path).length <= MAX_INTERNED_PATH_BYTES;
}

const utf8 = new TextEncoder();
