/** Longest text `shortText` returns; descriptors can be 16 KiB, log lines should not be. */
export const SHORT_TEXT_LENGTH = 80;

/** Cuts `text` to at most `max` characters, marking the cut with "…", for readable log lines. */
export function shortText(text: string, max = SHORT_TEXT_LENGTH): string {
  return text.length <= max ? text : text.slice(0, max - 1) + "…";
}
