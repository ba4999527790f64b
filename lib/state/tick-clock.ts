/**
 * The default clock for versions: Date.now(), read at most once per synchronous run of code (until the
 * next microtask). Versions need order, not sub-millisecond precision: within one run, `nextVersion`
 * keeps them increasing with its sequence part, and reading the system clock costs more than the rest
 * of a local set().
 */
export function tickClock(): number {
  if (cached < 0) {
    cached = Date.now();
    queueMicrotask(forget);
  }
  return cached;
}

let cached = -1;

function forget(): void {
  cached = -1;
}
