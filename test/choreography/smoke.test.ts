import { describe, it, expect } from "vitest";
import { project, createEndpoint } from "../../lib/choreography/index.js";
import { link } from "./fixtures.js";
import { loopbackPair, settle } from "./loopback-mux.js";

describe("smoke", () => {
  it("runs", async () => {
    const down = project(link, "Down");
    const up = project(link, "Up");
    console.log(down.toString());
    console.log(up.toString());
    const [a, b] = loopbackPair();
    const d = createEndpoint(down, a);
    const u = createEndpoint(up, b);
    d.send("Hello", { version: 1 });
    expect(await u.recv("Hello")).toEqual({ version: 1 });
    u.send("Welcome", { node: "x" });
    const br = await d.offer();
    expect(br.label).toBe("Welcome");
    br.recv();
    d.lane("interests").send("Interest", { key: "a" });
    d.lane("interests").send("InterestsDone", { count: 1 });
    u.lane("decisions").send("DecisionsDone", { count: 0 });
    expect(await u.lane("interests").recv("Interest")).toEqual({ key: "a" });
    await u.lane("interests").recv("InterestsDone");
    await d.lane("decisions").recv("DecisionsDone");
    d.send("Bye", { reason: "done" });
    await u.recv("Bye");
    await settle();
    expect(d.state).toBe("done");
    expect(u.state).toBe("done");
    console.log(u.tap!.format());
  });
});
