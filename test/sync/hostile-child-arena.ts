/**
 * A parent serving a healthy child, where hostile children can be attached: the bad-input and data-limits
 * tests check that what a hostile child sends closes only its own link or session, and the healthy child
 * stays served.
 */
import { expect } from "vitest";
import { createSessionMux } from "../../bindings/session-mux.js";
import { createEndpoint } from "../../lib/choreography/index.js";
import { LocalNode } from "../../lib/index.js";
import { DownstreamLink, type DownstreamLinkOptions } from "../../lib/sync/down/downstream-link.js";
import { downProgram, PROGRAM_HASH, PROTOCOL_VERSION } from "../../lib/sync/protocol.js";
import { createMemoryCarrierPair } from "../../transports/memory-carrier.js";
import { link, settle, type TestLink } from "./tree-fixture.js";

/** What a hostile child sends first: a well-formed Hello. */
export const hostileHello = { protocol: PROTOCOL_VERSION, program: PROGRAM_HASH, node: "hostile", resume: "x" };

/**
 * A root with a healthy child observing the counter it exposes (at 0); what it makes goes into `open`
 * (closed by the caller after each test). `stillServed(value)` sets the counter and checks the healthy
 * child gets it on a live link; `hostile()` attaches a child whose endpoint checks nothing it sends.
 */
export async function hostileChildArena(open: Array<LocalNode | TestLink>) {
  const root = new LocalNode({ name: "root" });
  const healthy = new LocalNode({ name: "healthy" });
  const wire = link(root, healthy);
  open.push(root, healthy, wire);
  const expose = root.object([], "counter").expose<number>();
  const observe = healthy.object([], "counter").observe<number>();
  expose.set(0);
  await settle();
  expect(observe.data).toBe(0);
  const stillServed = async (value: number) => {
    expose.set(value);
    await settle();
    expect(observe.data).toBe(value);
    expect(wire.upstream.connected).toBe(true);
  };
  const hostile = (options?: DownstreamLinkOptions) => {
    const memory = createMemoryCarrierPair();
    const parent = new DownstreamLink(root, createSessionMux(memory.b), options);
    const childMux = createSessionMux(memory.a);
    return { memory, parent, childMux, child: createEndpoint(downProgram, childMux, { checkOutbound: false }) };
  };
  return { root, stillServed, hostile };
}
