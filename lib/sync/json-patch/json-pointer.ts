const SLASH = 47;
const TILDE = 126;
const ZERO = 48;
const ONE = 49;

/** `key` as one JSON Pointer segment: `~` becomes `~0` and `/` becomes `~1` (RFC 6901). */
export function escapePointerSegment(key: string): string {
  if (key.indexOf("~") === -1 && key.indexOf("/") === -1) return key;
  return key.replace(/~/g, "~0").replace(/\//g, "~1");
}

/**
 * How many segments the JSON Pointer `path` has (0 for `""`, the whole document), or -1 when it is not
 * a valid pointer: it must be empty or start with `/`, and `~` may only appear as `~0` or `~1`.
 * Allocates nothing, so untrusted paths are checked before any work is spent on them.
 */
export function pointerDepth(path: string): number {
  const n = path.length;
  if (n === 0) return 0;
  if (path.charCodeAt(0) !== SLASH) return -1;
  let depth = 1;
  for (let i = 1; i < n; i++) {
    const c = path.charCodeAt(i);
    if (c === SLASH) depth++;
    else if (c === TILDE) {
      const next = path.charCodeAt(++i);
      if (next !== ZERO && next !== ONE) return -1;
    }
  }
  return depth;
}

/**
 * The unescaped segments of the JSON Pointer `path` (`[]` for `""`, the whole document), or undefined
 * when it is not a valid pointer (see `pointerDepth`).
 */
export function pointerSegments(path: string): string[] | undefined {
  const n = path.length;
  if (n === 0) return [];
  if (path.charCodeAt(0) !== SLASH) return undefined;
  const segments: string[] = [];
  let start = 1;
  let escaped = false;
  for (let i = 1; i <= n; i++) {
    const c = i < n ? path.charCodeAt(i) : SLASH;
    if (c === SLASH) {
      const segment = path.slice(start, i);
      segments.push(escaped ? segment.replace(/~1/g, "/").replace(/~0/g, "~") : segment);
      start = i + 1;
      escaped = false;
    } else if (c === TILDE) {
      const next = path.charCodeAt(++i);
      if (next !== ZERO && next !== ONE) return undefined;
      escaped = true;
    }
  }
  return segments;
}
