/** Strings without quotes, backslashes, control characters or surrogates need no escaping. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** `text` as a JSON string literal, exactly as JSON.stringify prints it, but much faster for plain text. */
export function quoteJsonString(text: string): string {
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text) : '"' + text + '"';
}

/** Length of `quoteJsonString(text)`, without building it for plain text. */
export function jsonStringLength(text: string): number {
  const n = text.length;
  if (n <= 32) {
    // Short strings (keys, mostly): a character scan is cheaper than the regular expression.
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(text).length;
    }
    return n + 2;
  }
  return NEEDS_ESCAPE.test(text) ? JSON.stringify(text).length : n + 2;
}

/** Length of a number's JSON text; small integers (the usual case) without converting to a string. */
export function jsonNumberLength(value: number): number {
  if (value >= 0 && value < 1e9 && (value | 0) === value) {
    return value < 10 ? 1 : value < 100 ? 2 : value < 1e3 ? 3 : value < 1e4 ? 4 : value < 1e5 ? 5 : value < 1e6 ? 6 : value < 1e7 ? 7 : value < 1e8 ? 8 : 9;
  }
  return ("" + value).length;
}
