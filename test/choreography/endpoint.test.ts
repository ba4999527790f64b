import { describe, expect, it } from "vitest";
import { createEndpoint, loop, message, par, project, route, schema, send, seq } from "../../lib/choreography/index.js";
import { link } from "./fixtures.js";
import { loopbackPair, settle, type Delivery } from "./loopback-mux.js";

const num = schema((u: unknown) => {
  if (typeof u !== "number") throw new TypeError("expected a number");
  return u;
});
const Ping = message("Ping", num);
const Pong = message("Pong", num);
const Stop = message("Stop", num);
const Tick = message("Tick", num);

function linkPair(delivery: Delivery = "microtask") {
  const [a, b] = loopbackPair(delivery);
  const down = createEndpoint(project(link, "Down"), a);
  const up = createEndpoint(project(link, "Up"), b);
  return { a, b, down, up };
}

describe("endpoints over the loopback mux", () => {
  it("runs a handshake refused through a route (offer on one side)", async () => {
    const { down, up } = linkPair();
    down.send("Hello", { version: 3 });
    expect(await up.recv("Hello")).toEqual({ version: 3 });
    up.send("Refuse", { reason: "full" });
    expect(up.state).toBe("done");
    const branch = await down.offer();
    expect(branch.label).toBe("Refuse");
    if (branch.label === "Refuse") expect(branch.recv().reason).toBe("full");
    expect(down.state).toBe("done");
    expect(await down.closed).toBeUndefined();
    expect(await up.closed).toBeUndefined();
  });

  for (const delivery of ["microtask", "sync"] as const) {
    it(`runs parallel looped lanes with promise and handler styles (${delivery})`, async () => {
      const { down, up, a, b } = linkPair(delivery);
      down.send("Hello", { version: 1 });
      await up.recv("Hello");
      up.send("Welcome", { node: "root" });
      const welcome = await down.offer();
      expect(welcome.label).toBe("Welcome");
      expect(welcome.recv()).toEqual({ node: "root" });
      const interests: string[] = [];
      let interestsDone = -1;
      up.lane("interests").serve({
        Interest: (p) => interests.push(p.key),
        InterestsDone: (p) => {
          interestsDone = p.count;
        },
        Observe: () => {
          throw new Error("not used here");
        },
      });
      // Up decides on its lane while Down streams interests on the other one.
      const decisions = up.lane("decisions");
      const downInterests = down.lane("interests");
      for (let i = 0; i < 5; i++) {
        downInterests.send("Interest", { key: `k${i}` });
        decisions.send(i % 2 === 0 ? "Assign" : "Release", { key: `k${i}` });
      }
      decisions.send("DecisionsDone", { count: 5 });
      downInterests.send("InterestsDone", { count: 5 });
      const seen: string[] = [];
      for (;;) {
        const b = await down.lane("decisions").offer();
        if (b.label === "DecisionsDone") {
          expect(b.recv().count).toBe(5);
          break;
        }
        if (b.label === "Assign" || b.label === "Release") seen.push(`${b.label}:${b.recv().key}`);
      }
      expect(seen).toEqual(["Assign:k0", "Release:k1", "Assign:k2", "Release:k3", "Assign:k4"]);
      await settle();
      expect(interests).toEqual(["k0", "k1", "k2", "k3", "k4"]);
      expect(interestsDone).toBe(5);
      expect(down.lane(1).finished && down.lane(2).finished).toBe(true);
      down.send("Bye", { reason: "bye" });
      expect(await up.recv("Bye")).toEqual({ reason: "bye" });
      expect([down.fault, up.fault]).toEqual([undefined, undefined]);
      expect([down.state, up.state]).toEqual(["done", "done"]);
      await settle();
      expect(a.openSessions()).toEqual([]);
      expect(b.openSessions()).toEqual([]);
    });
  }

  it("lets a serve handler answer synchronously inside the receive (sync delivery)", async () => {
    const g = loop("P", seq(send("P", "Q", Ping), send("Q", "P", Pong)));
    const [a, b] = loopbackPair("sync");
    const p = createEndpoint(project(g, "P"), a);
    const q = createEndpoint(project(g, "Q"), b);
    q.serve({ Ping: (n) => q.send("Pong", n * 2) });
    const pongs: number[] = [];
    p.serve({ Pong: (n) => pongs.push(n) });
    for (let i = 1; i <= 3; i++) p.send("Ping", i);
    expect(pongs).toEqual([2, 4, 6]);
    // A loop that nothing follows runs until the session is closed.
    p.close();
    expect(p.state).toBe("done");
    expect(q.state).toBe("done");
  });

  it("keeps received messages for recv() after the protocol completed", async () => {
    const g = seq(send("P", "Q", Ping), send("P", "Q", Stop));
    const [a, b] = loopbackPair("sync");
    const p = createEndpoint(project(g, "P"), a);
    const q = createEndpoint(project(g, "Q"), b);
    p.send("Ping", 1);
    p.send("Stop", 2);
    expect(q.state).toBe("done");
    expect(await q.recv("Ping")).toBe(1);
    expect(await q.recv("Stop")).toBe(2);
  });

  it("serve() dispatches messages that arrived before it was called", async () => {
    const g = seq(loop("P", send("P", "Q", Tick)), send("P", "Q", Stop));
    const [a, b] = loopbackPair();
    const p = createEndpoint(project(g, "P"), a);
    const q = createEndpoint(project(g, "Q"), b);
    p.send("Tick", 1);
    p.send("Tick", 2);
    p.send("Stop", 3);
    await settle();
    const got: number[] = [];
    q.serve({ Tick: (n) => got.push(n), Stop: (n) => got.push(-n) });
    expect(got).toEqual([1, 2, -3]);
    expect(q.state).toBe("done");
  });

  it("runs a par nested in a loop again on every round", async () => {
    const Left = message("Left", num);
    const Right = message("Right", num);
    const g = seq(loop("P", seq(send("P", "Q", Tick), par(send("P", "Q", Left), send("Q", "P", Right)))), send("P", "Q", Stop));
    const [a, b] = loopbackPair();
    const p = createEndpoint(project(g, "P"), a);
    const q = createEndpoint(project(g, "Q"), b);
    for (let round = 0; round < 3; round++) {
      p.send("Tick", round);
      p.lane(1).send("Left", round);
      expect(await q.recv("Tick")).toBe(round);
      expect(await q.lane(1).recv("Left")).toBe(round);
      q.lane(2).send("Right", round);
      expect(await p.lane(2).recv("Right")).toBe(round);
    }
    p.send("Stop", 0);
    expect(await q.recv("Stop")).toBe(0);
    expect([p.state, q.state]).toEqual(["done", "done"]);
  });

  it("waits in recv() for a lane that has not started yet", async () => {
    const Left = message("Left", num);
    const g = seq(send("P", "Q", Ping), par(send("P", "Q", Left), send("P", "Q", Tick)));
    const [a, b] = loopbackPair();
    const p = createEndpoint(project(g, "P"), a);
    const q = createEndpoint(project(g, "Q"), b);
    const left = q.lane(1).recv("Left");
    p.send("Ping", 0);
    p.lane(2).send("Tick", 2);
    p.lane(1).send("Left", 1);
    expect(await left).toBe(1);
    expect(await q.lane(2).recv("Tick")).toBe(2);
    expect(await q.recv("Ping")).toBe(0);
    expect(q.state).toBe("done");
  });

  it("routes chosen by the controller are visible as route decisions", async () => {
    const g = route("P", send("P", "Q", Ping), seq(send("P", "Q", Pong), send("Q", "P", Stop)));
    const [a, b] = loopbackPair();
    const p = createEndpoint(project(g, "P"), a);
    const q = createEndpoint(project(g, "Q"), b, { tap: p.tap });
    p.send("Pong", 1);
    const br = await q.offer();
    expect(br.label).toBe("Pong");
    br.recv();
    q.send("Stop", 2);
    expect(await p.recv("Stop")).toBe(2);
    const routes = p.tap!.entries().filter((e) => e.kind === "route");
    expect(routes.map((e) => [e.role, e.label, e.detail])).toEqual([
      ["P", "Pong", "arm 2 of route(P)"],
      ["Q", "Pong", "arm 2 of route(P)"],
    ]);
  });
});
