/**
 * A map whose entries last until the current synchronous run of code ends (the next microtask). A
 * fan-out happens within one delivery, so this is how its links share what was made for the first of
 * them (an encoding, a patch) without anything being kept once the delivery is over.
 */
export class TickMap<K, V> {
  readonly #entries = new Map<K, V>();
  #forgetQueued = false;
  readonly #forget = (): void => {
    this.#entries.clear();
    this.#forgetQueued = false;
  };

  get(key: K): V | undefined {
    return this.#entries.get(key);
  }

  /** Sets `key` to `value` until the end of this run of code. */
  set(key: K, value: V): void {
    this.#entries.set(key, value);
    if (!this.#forgetQueued) {
      this.#forgetQueued = true;
      queueMicrotask(this.#forget);
    }
  }
}
