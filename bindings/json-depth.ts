const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;

/**
 * Strings are read byte by byte up to this length; a longer one is crossed from quote to quote with
 * the native indexOf (a state's text values can be kilobytes long; JSON.parse copies them at memory speed).
 */
const SHORT_STRING = 16;

/**
 * Where the UTF-8 JSON text `bytes` first opens an array or object nested deeper than `maxDepth` (the
 * offset of that bracket), or -1 when it never does. One pass over the bytes that stops at the first
 * bracket past the limit, so a deep payload is refused for the price of reading `maxDepth` brackets,
 * not of building it: JSON.parse makes every level of `[[[…]]]` before anything can look at it.
 * Brackets inside strings do not count. It does not validate the JSON (the parser does that next):
 * on malformed text it still counts the brackets outside what look like strings.
 */
export function tooDeepAt(bytes: Uint8Array, maxDepth: number): number {
  const length = bytes.length;
  if (length <= maxDepth) return -1; // too short to hold maxDepth + 1 brackets
  let depth = 0;
  for (let index = 0; index < length; index++) {
    const byte = bytes[index] as number;
    if (byte === QUOTE) {
      // A string: its first bytes one by one (the escaped byte after a backslash is skipped) ...
      const shortEnd = index + 1 + SHORT_STRING < length ? index + 1 + SHORT_STRING : length;
      for (index++; index < shortEnd; index++) {
        const inside = bytes[index] as number;
        if (inside === QUOTE) break;
        if (inside === BACKSLASH) index++;
      }
      if (index < shortEnd) continue;
      // ... and the rest from quote to quote, skipping the quotes an odd run of backslashes escapes.
      while (index < length) {
        const quote = bytes.indexOf(QUOTE, index);
        if (quote < 0) return -1;
        let backslashes = 0;
        while (quote - backslashes > index && bytes[quote - backslashes - 1] === BACKSLASH) backslashes++;
        index = quote;
        if ((backslashes & 1) === 0) break;
        index++;
      }
    } else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
      if (++depth > maxDepth) return index;
    } else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) {
      depth--;
    }
  }
  return -1;
}
