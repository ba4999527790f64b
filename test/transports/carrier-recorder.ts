import type { Carrier, CarrierCloseEvent } from "../../transports/carrier.js";

/** Attaches to a carrier and records what it delivers, so tests can await and inspect it. */
export interface CarrierRecorder {
  readonly messages: Uint8Array[];
  readonly closes: CarrierCloseEvent[];
  /** Resolves once `done()` holds (checked after every delivery); rejects if nothing arrives for CARRIER_WAIT_MS while it waits. */
  until(done: () => boolean): Promise<void>;
}

/**
 * How long a test waits for a carrier before it gives up (`until` with nothing arriving, `expect.poll`):
 * generous, because a real socket on a loaded machine can take seconds, and a passing test never waits it out.
 */
export const CARRIER_WAIT_MS = 10_000;

/** Attaches a recorder as the carrier's consumer. */
export function record(carrier: Carrier): CarrierRecorder {
  const messages: Uint8Array[] = [];
  const closes: CarrierCloseEvent[] = [];
  const waiters = new Set<() => void>();
  const wake = (): void => {
    for (const waiter of [...waiters]) waiter();
  };
  carrier.attach({
    message: (bytes) => {
      messages.push(bytes);
      wake();
    },
    close: (event) => {
      closes.push(event);
      wake();
    },
  });
  return {
    messages,
    closes,
    until: (done) =>
      new Promise<void>((resolve, reject) => {
        if (done()) return resolve();
        let timer: ReturnType<typeof setTimeout> | undefined;
        const arm = (): void => {
          clearTimeout(timer);
          timer = setTimeout(() => {
            waiters.delete(check);
            reject(new Error(`condition not met; ${messages.length} messages, ${closes.length} closes recorded`));
          }, CARRIER_WAIT_MS);
        };
        const check = (): void => {
          if (!done()) return arm();
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        arm();
      }),
  };
}

/** Lets queued microtasks and pending I/O callbacks run. */
export function settle(ms = 10): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
