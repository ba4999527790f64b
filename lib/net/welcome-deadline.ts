import type { Carrier } from "../../transports/carrier.js";
import { NotAHakubanListenerError } from "./not-a-hakuban-listener-error.js";

/**
 * One upstream connection's wait for the parent's Welcome. A hakuban listener answers the link's Hello
 * at once; a server that lets `timeoutMs` pass without a Welcome is given up on (`onExpired` closes the
 * connection) as not a hakuban listener, rather than waited on forever.
 */
export class WelcomeDeadline {
  /** True once the parent's Welcome arrived. */
  welcomed = false;
  /** Set when the deadline passed without a Welcome. */
  expired: NotAHakubanListenerError | undefined;
  readonly #timer: ReturnType<typeof setTimeout>;

  constructor(
    /** The connection waiting. */
    readonly carrier: Carrier,
    url: string,
    timeoutMs: number,
    onExpired: (error: NotAHakubanListenerError) => void,
  ) {
    this.#timer = setTimeout(() => {
      this.expired = new NotAHakubanListenerError(url, `it did not answer the link's Hello within ${timeoutMs} ms`);
      onExpired(this.expired);
    }, timeoutMs);
  }

  /** The Welcome arrived: the deadline no longer applies. */
  welcome(): void {
    this.welcomed = true;
    clearTimeout(this.#timer);
  }

  /** The connection ended: the deadline no longer applies. */
  end(): void {
    clearTimeout(this.#timer);
  }
}
