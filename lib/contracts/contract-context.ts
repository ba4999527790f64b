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
  forget(contract: Terminable): void;
}

/** Anything the node can terminate on close. */
export interface Terminable {
  /** Observers end before exposers on close, so nobody sees a pointless desynchronization. */
  readonly role: "observe" | "expose";
  terminate(): void;
}
