import { expect, it } from "vitest";
import { ObjectDescriptor } from "../../lib/descriptor/object-descriptor.js";
import type { Exchange } from "../../lib/exchange/exchange.js";
import { ObjectEntry } from "../../lib/exchange/object-entry.js";
import type { Exposer } from "../../lib/exchange/participants.js";
import type { ObjectState } from "../../lib/state/object-state.js";
import { takePeerState } from "../../lib/sync/take-peer-state.js";

/** An exchange that records which of its three ways of taking a state was used, and with what. */
function recordingExchange() {
  const calls: string[] = [];
  const exchange: Pick<Exchange, "setSynchronized" | "publish" | "adopt"> = {
    setSynchronized: (_entry, _exposer, synchronized) => void calls.push(`synchronized ${synchronized}`),
    publish: (_entry, _exposer, state) => (calls.push(`publish ${state.version.join(".")}`), true),
    adopt: (_entry, _exposer, state) => (calls.push(`adopt ${state.version.join(".")}`), true),
  };
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
    takePeerState(exchange, entryHolding(state(3, 2)), exposer, state(3, 2, false), as);
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
    takePeerState(published.exchange, entryHolding(held), exposer, taken, "published");
    expect(published.calls).toEqual([`publish ${taken.version.join(".")}`]);
    const adopted = recordingExchange();
    takePeerState(adopted.exchange, entryHolding(held), exposer, taken, "adopted");
    expect(adopted.calls).toEqual([`adopt ${taken.version.join(".")}`]);
  }
});
