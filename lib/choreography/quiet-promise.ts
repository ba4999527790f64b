/**
 * Promises the runtime hands to the application: a rejection nobody awaits is never reported as an
 * unhandled rejection (an application may well ignore the outcome of an operation on a session that
 * faulted; the fault is reported once, by the session).
 */

function noop(): void {}

/** A pending promise settled through `executor`. */
export function pending<T>(executor: (resolve: (value: T) => void, reject: (error: Error) => void) => void): Promise<T> {
  const p = new Promise<T>(executor);
  p.catch(noop);
  return p;
}

/** A promise that is already rejected with `error`. */
export function rejected<T>(error: Error): Promise<T> {
  const p = Promise.reject(error);
  p.catch(noop);
  return p;
}
