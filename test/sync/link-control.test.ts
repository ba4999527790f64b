import { expect, it, vi } from "vitest";
import { welcomedPair } from "./control-pair.js";

it("leaves politely: its goodbye goes once, the peer's answer ends the session cleanly", async () => {
  const { parent, child } = await welcomedPair({});
  let goodbyes = 0;
  const bye = () => {
    goodbyes++;
    child.endpoint.lane("interests").send("Bye", { reason: "done" });
  };
  await child.leave(true, bye, "done", "the parent did not answer Bye");
  await child.leave(true, bye, "done", "the parent did not answer Bye");
  expect(goodbyes).toBe(1);
  expect(child.leaving).toBe(true);
  expect(await child.closed).toBeUndefined();
  expect(await parent.closed).toBeUndefined();
});

it("answers the peer's goodbye once, and not at all when its own went first", async () => {
  const { parent, child } = await welcomedPair({});
  let farewells = 0;
  const farewell = () => {
    farewells++;
    parent.endpoint.lane("decisions").send("Farewell", { reason: "leaving first" });
  };
  await parent.leave(true, farewell, "leaving first", "the child did not answer Farewell");
  expect(farewells).toBe(1);
  expect(child.leaving).toBe(true);
  expect(await parent.closed).toBeUndefined();
  expect(await child.closed).toBeUndefined();
});

it("sends no second goodbye: leaving again while the first waits for its answer ends the session at once", async () => {
  const { parent, child } = await welcomedPair({}, { answerBye: false });
  let goodbyes = 0;
  const bye = () => {
    goodbyes++;
    child.endpoint.lane("interests").send("Bye", { reason: "done" });
  };
  const first = child.leave(true, bye, "done", "the parent did not answer Bye");
  await child.leave(true, bye, "leaving again", "the parent did not answer Bye");
  await first;
  expect(goodbyes).toBe(1);
  expect((await child.closed)?.message).toContain("leaving again");
  await parent.closed;
});

it("gives a peer that does not answer its goodbye deadAfterMs, then ends the session naming it", async () => {
  const { parent, child } = await welcomedPair({ deadAfterMs: 50 }, { answerBye: false });
  const bye = () => child.endpoint.lane("interests").send("Bye", { reason: "done" });
  await child.leave(true, bye, "done", "the parent did not answer Bye");
  expect((await child.closed)?.message).toContain("the parent did not answer Bye");
  await parent.closed;
});

it("leaves a peer not yet welcomed at once, with the reason and no goodbye", async () => {
  const { parent, child } = await welcomedPair({});
  let goodbyes = 0;
  await child.leave(false, () => void goodbyes++, "closing before the welcome", "the parent did not answer Bye");
  expect(goodbyes).toBe(0);
  expect((await child.closed)?.message).toContain("closing before the welcome");
  await parent.closed;
});

it("keeps a peer that sends anything alive, and ends the link naming a peer gone silent", async () => {
  const { parent, child, pings } = await welcomedPair({ keepAliveMs: 20, deadAfterMs: 200 });
  parent.keepPeerAlive("the child", () => {});
  child.keepPeerAlive("the parent", () => child.guard(() => child.endpoint.lane("interests").send("Ping", {})));
  // Fifteen pings span over deadAfterMs: the parent heard them and kept the link.
  await vi.waitFor(() => expect(pings.count).toBeGreaterThanOrEqual(15), { timeout: 5000, interval: 5 });
  expect(parent.state).toBe("open");
  child.stop(); // the child falls silent
  expect((await parent.closed)?.message).toMatch(/no keep-alive from the child for \d+ ms/);
  await child.closed;
});

it("ends its own link when a send it guards fails", async () => {
  const { parent, child } = await welcomedPair({});
  child.guard(() => {
    throw new Error("the carrier broke");
  });
  expect((await child.closed)?.message).toContain("a send failed: the carrier broke");
  await parent.closed;
});

it("drops the acknowledgements still waiting when it stops", async () => {
  const { parent, child, memory } = await welcomedPair({});
  const sent: unknown[] = [];
  child.stop();
  child.acks.add({ sendAck: (ack) => void sent.push(ack) }, { resync: true });
  await Promise.resolve();
  expect(sent).toEqual([]);
  memory.faults.cut();
  await Promise.all([parent.closed, child.closed]);
});
