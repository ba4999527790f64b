import { expect, it, vi } from "vitest";
import { ObjectDescriptor } from "../../lib/descriptor/object-descriptor.js";
import { Exchange } from "../../lib/exchange/exchange.js";
import { ObjectEntry } from "../../lib/exchange/object-entry.js";
import type { Exposer } from "../../lib/exchange/participants.js";
import type { ObjectState } from "../../lib/state/object-state.js";

/** A real exchange whose three ways of taking a state are recorded (and still run). */
function recordingExchange() {
  const exchange = new Exchange(() => {});
  const calls: string[] = [];
  const synchronized = exchange.setSynchronized.bind(exchange);
  const publish = exchange.publish.bind(exchange);
  const adopt = exchange.adopt.bind(exchange);
  vi.spyOn(exchange, "setSynchronized").mockImplementation((entry, exposer, flag) => (calls.push(`synchronized ${flag}`), synchronized(entry, exposer, flag)));
  vi.spyOn(exchange, "publish").mockImplementation((entry, exposer, state) => (calls.push(`publish ${state.version.join(".")}`), publish(entry, exposer, state)));
  vi.spyOn(exchange, "adopt").mockImplementation((entry, exposer, state) => (calls.push(`adopt ${state.version.join(".")}`), adopt(entry, exposer, state)));
  return { exchange, calls };
}

const exposer = { id: 1 } as unknown as Exposer;
const state = (version: number, epoch: number | undefined, synchronized = true): ObjectState<unknown> => ({
  version: [version],
  format: ["JSON"],
  data: { version },
  synchronized,
  ...(epoch === undefined ? {} : { epoch }),
});

function entryHolding(held: ObjectState<unknown> | undefined): ObjectEntry {
  const entry = new ObjectEntry(new ObjectDescriptor([], "taken"), []);
  entry.state = held;
  return entry;
}

it("takes the version already held (same election) as its synchronized flag only, either way", () => {
  for (const as of ["published", "adopted"] as const) {
    const { exchange, calls } = recordingExchange();
    exchange.take(entryHolding(state(3, 2)), exposer, state(3, 2, false), as);
    expect(calls).toEqual(["synchronized false"]);
  }
});

it("publishes or adopts, as asked, any other state: another version, the same version of another election, or a first one", () => {
  const others = [
    [state(3, 2), state(4, 2)],
    [state(3, 2), state(3, 1)],
    [state(3, undefined), state(3, 1)],
    [undefined, state(1, undefined)],
  ] as const;
  for (const [held, taken] of others) {
    const published = recordingExchange();
    published.exchange.take(entryHolding(held), exposer, taken, "published");
    expect(published.calls).toEqual([`publish ${taken.version.join(".")}`]);
    const adopted = recordingExchange();
    adopted.exchange.take(entryHolding(held), exposer, taken, "adopted");
    expect(adopted.calls).toEqual([`adopt ${taken.version.join(".")}`]);
  }
});
