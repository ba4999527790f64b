/**
 * Where exceptions thrown by application code (callbacks, subscribers) go. User code must never break
 * the node or other subscribers, so every call into it is guarded and failures are reported here.
 */
export type ErrorSink = (error: unknown, context: string) => void;

/** Calls `fn(value)`, reporting anything it throws to `sink` instead of letting it propagate. */
export function callGuarded<T>(sink: ErrorSink, context: string, fn: (value: T) => void, value: T): void {
  try {
    fn(value);
  } catch (error) {
    sink(error, context);
  }
}
