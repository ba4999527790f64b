import type { Exchange } from "../exchange/exchange.js";
import type { ObjectState } from "../state/object-state.js";

/** How long a parent remembers what it last sent a child that went away. */
export const RESUME_TTL_MS = 60_000;

/**
 * What a parent last sent each child, kept for a while after the child's link dropped, by the child's
 * resume token. When the child reconnects and says which versions it holds, the parent still has those
 * states and sends diffs against them instead of full states. Expired entries are swept on each use (no
 * timers); the states themselves are shared with the exchange, so this costs references, not copies.
 */
export class ResumeStore {
  private readonly kept = new Map<string, { readonly expires: number; readonly states: Map<string, ObjectState<unknown>> }>();

  constructor(private readonly now: () => number = Date.now) {}

  keep(token: string, states: Map<string, ObjectState<unknown>>): void {
    this.sweep();
    this.kept.set(token, { expires: this.now() + RESUME_TTL_MS, states });
  }

  /** The states kept for `token`, once (they are forgotten as they are handed out). */
  take(token: string): Map<string, ObjectState<unknown>> | undefined {
    this.sweep();
    const found = this.kept.get(token);
    this.kept.delete(token);
    return found?.states;
  }

  get size(): number {
    return this.kept.size;
  }

  private sweep(): void {
    const now = this.now();
    for (const [token, { expires }] of this.kept) if (expires <= now) this.kept.delete(token);
  }
}

const stores = new WeakMap<Exchange, ResumeStore>();

/** The resume store of the node whose exchange is `exchange` (one per node, shared by all its downstream links). */
export function resumeStoreOf(exchange: Exchange): ResumeStore {
  let store = stores.get(exchange);
  if (!store) {
    store = new ResumeStore();
    stores.set(exchange, store);
  }
  return store;
}
