import type { JsonLimits } from "../descriptor/json-value.js";
import type { Exchange } from "../exchange/exchange.js";

/** What a contract needs from the node that made it. */
export interface ContractContext {
  readonly exchange: Exchange;
  /** Milliseconds since the epoch; injectable so tests can make the clock go backwards. */
  readonly clock: () => number;
  /** Limits applied to data passed to `set`. */
  readonly dataLimits: JsonLimits;
  /** Called once by a contract when it terminates, so the node can forget it. */
  forget(contract: NodeContract): void;
}

/** A contract as its node sees it: what it terminates on close, and what it counts in `stats()`. */
export interface NodeContract {
  /** Observers end before exposers on close, so nobody sees a pointless desynchronization. */
  readonly role: "observe" | "expose";
  terminate(): void;
  /** Live subscriptions of every event surface. */
  readonly subscriptionCount: number;
  /** Values given to `set()` that this contract holds (0 for observers). */
  readonly exposedValueCount: number;
}
