/** What a test link carried from the parent down to the child. */
import type { TestLink } from "../../test/sync/tree-fixture.js";

/** Bytes the parent's end of `wire` (an in-memory link) has sent to the child so far, frames and acks included. */
export function bytesDown(wire: TestLink): number {
  return wire.memory!.faults.counters.bToA.bytesSent;
}
