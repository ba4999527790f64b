/**
 * What a link end caught, as an Error: a link's result and its log lines name what ended it, whatever
 * was thrown (an Error, or any other value a callback such as `authenticate` threw).
 */

/** `caught` itself when it is an Error, else an Error whose message is its text. */
export function caughtError(caught: unknown): Error {
  return caught instanceof Error ? caught : new Error(String(caught));
}

/** The message of `caught` when it is an Error, else its text. */
export function caughtMessage(caught: unknown): string {
  return caught instanceof Error ? caught.message : String(caught);
}
