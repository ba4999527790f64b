/**
 * Two control sessions of the link protocol, a child's and a parent's, over memory and past the
 * handshake: the bare LinkControl under both link ends, for tests of what they share.
 */
import { expect } from "vitest";
import { createSessionMux } from "../../bindings/session-mux.js";
import { resolveDataLimits } from "../../lib/state/frozen-data.js";
import { LinkControl } from "../../lib/sync/link-control.js";
import type { LinkOptions } from "../../lib/sync/link-options.js";
import { downProgram, type LinkEvents, PROGRAM_HASH, PROTOCOL_VERSION, upProgram } from "../../lib/sync/protocol.js";
import { createMemoryCarrierPair } from "../../transports/memory-carrier.js";

/** How the parent takes the child's goodbye: answered with Farewell (as the link ends do; the default), or not at all. */
export interface Answers {
  readonly answerBye?: boolean;
}

/** A child's and a parent's control session over memory, past the handshake, each serving its peer's lane. */
export async function welcomedPair(options: LinkOptions, answers: Answers = {}) {
  const memory = createMemoryCarrierPair();
  const limits = resolveDataLimits(undefined);
  const parent = new LinkControl<LinkEvents, "Up">(upProgram, createSessionMux(memory.b), options, limits);
  const child = new LinkControl<LinkEvents, "Down">(downProgram, createSessionMux(memory.a), options, limits);
  child.endpoint.send("Hello", { protocol: PROTOCOL_VERSION, program: PROGRAM_HASH, node: "child", resume: "r" });
  await parent.endpoint.recv("Hello");
  parent.endpoint.send("Welcome", { node: "parent" });
  const welcome = await child.endpoint.offer();
  expect(welcome.label).toBe("Welcome");
  welcome.recv();
  const pings = { count: 0 };
  const ignore = () => {};
  parent.endpoint.lane("interests").serve({
    Open: ignore,
    TagInterest: ignore,
    Sync: ignore,
    Refresh: ignore,
    Ping: () => {
      pings.count++;
      parent.endpoint.lane("decisions").send("Pong", {});
    },
    Bye: () => {
      if (answers.answerBye === false) return;
      parent.answerGoodbye(() => parent.endpoint.lane("decisions").send("Farewell", { reason: "goodbye" }));
    },
  });
  child.endpoint.lane("decisions").serve({
    Announce: ignore,
    Withdraw: ignore,
    Synced: ignore,
    Pong: ignore,
    Refreshed: ignore,
    TagDenied: ignore,
    TagGranted: ignore,
    Farewell: () => child.answerGoodbye(() => child.endpoint.lane("interests").send("Bye", { reason: "answering Farewell" })),
  });
  return { parent, child, pings, memory };
}
