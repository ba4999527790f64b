import type { Exchange } from "../exchange/exchange.js";

/** What a link driver needs of the node it links into a tree: the exchange it drives, and a name for the peer's logs. */
export interface LinkedNode {
  readonly name: string;
  readonly exchange: Exchange;
}
