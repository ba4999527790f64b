/**
 * A parent may take an object from its child's exposer and give it back within one epoch: a middle node
 * that elected its child by itself hears its own parent's Release, then its Assign, which may carry the
 * same epoch number as the middle's own election. The exposer's value, published in that epoch and only
 * marked unsynchronized while taken away, is synchronized again once the exposer is elected again.
 */
import { afterEach, expect, it } from "vitest";
import { createSessionMux } from "../../bindings/session-mux.js";
import { createEndpoint } from "../../lib/choreography/index.js";
import { LocalNode } from "../../lib/index.js";
import { upProgram } from "../../lib/sync/protocol.js";
import { UpstreamLink } from "../../lib/sync/up/upstream-link.js";
import { createMemoryCarrierPair } from "../../transports/memory-carrier.js";
import { settle } from "./tree-fixture.js";

let open: Array<{ close(): unknown }> = [];
afterEach(async () => {
  for (const thing of open.reverse()) await thing.close();
  open = [];
});

type Session = { lane(name: "down"): { send(label: string, payload: unknown): unknown } };

it("an exposer elected again in the epoch its value was published in makes it synchronized again", async () => {
  const leaf = new LocalNode({ name: "leaf" });
  open.push(leaf);
  const exposer = leaf.object(["t"], "x").expose<string>();
  const observer = leaf.object(["t"], "x").observe<string>();
  const memory = createMemoryCarrierPair();
  const upstream = new UpstreamLink(leaf);
  void upstream.run(createSessionMux(memory.a));
  open.push({ close: () => upstream.close() });
  const parent = createEndpoint(upProgram, createSessionMux(memory.b), { checkOutbound: false });
  await parent.recv("Hello");
  parent.send("Welcome", { node: "parent" });
  const sessions: Session[] = [];
  parent.lane("interests").serve({
    Open: (_open, session) => void sessions.push(session as Session),
    TagInterest: () => {},
    Refresh: () => {},
    Sync: () => parent.lane("decisions").send("Synced", {}),
    Ping: () => parent.lane("decisions").send("Pong", {}),
    Bye: () => parent.lane("decisions").send("Farewell", { reason: "bye" }),
  });
  await settle();
  const down = sessions[0]!.lane("down");

  down.send("Assign", { epoch: 1 });
  await settle();
  exposer.set("value", { version: [2] });
  expect(observer.state).toMatchObject({ data: "value", version: [2], epoch: 1, synchronized: true });

  down.send("Release", { epoch: 1 });
  await settle();
  expect(exposer.assigned).toBe(false);
  expect(observer.state).toMatchObject({ version: [2], synchronized: false });

  down.send("Assign", { epoch: 1 });
  await settle();
  expect(exposer.assigned).toBe(true);
  expect(observer.state).toMatchObject({ data: "value", version: [2], epoch: 1, synchronized: true });
});
