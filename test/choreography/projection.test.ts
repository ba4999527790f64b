import { describe, expect, it } from "vitest";
import { family, loop, message, par, project, ProjectionError, route, schema, send, seq } from "../../lib/choreography/index.js";
import { END, FORK, RECV, SEND } from "../../lib/choreography/role-program.js";
import { link } from "./fixtures.js";

const any = schema((u: unknown) => u);
const A = message("A", any);
const B = message("B", any);
const C = message("C", any);
const D = message("D", any);

function rejection(run: () => unknown): ProjectionError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ProjectionError);
    return error as ProjectionError;
  }
  throw new Error("expected project() to reject the protocol");
}

describe("builders", () => {
  it("build a frozen AST and reject non-steps", () => {
    const g = seq(send("P", "Q", A), send("Q", "P", B));
    expect(g.kind).toBe("seq");
    expect(Object.isFrozen(g)).toBe(true);
    expect(() => seq({ kind: "send" } as never)).toThrow(TypeError);
    expect(() => send("P", "", A)).toThrow(TypeError);
    expect(() => message("", any)).toThrow(TypeError);
  });

  it("name par lanes with the object form", () => {
    const g = par({ left: send("P", "Q", A), right: send("Q", "P", B) });
    expect(g.kind === "par" && g.names).toEqual(["left", "right"]);
  });
});

describe("project: valid protocols", () => {
  it("compiles the link protocol for both roles with shared label ids", () => {
    const down = project(link, "Down");
    const up = project(link, "Up");
    // The sends outside loops and lanes (handshake and goodbye) first, in declaration order; then the
    // rest, family labels included, alphabetically.
    expect(down.catalog.specs.map((s) => s.label)).toEqual([
      "Hello",
      "Welcome",
      "Bye",
      "Refuse",
      ...["Assign", "DecisionsDone", "Interest", "InterestsDone", "Observe", "Release", "Gone", "Missing", "Patch", "State"].sort(),
    ]);
    expect(up.catalog.ids.get("Hello")).toBe(down.catalog.ids.get("Hello"));
    expect(down.hash).toBe(up.hash);
    expect(down.peers).toEqual(["Up"]);
    expect(down.lanes.map((l) => [l.id, l.name, l.parent])).toEqual([
      [0, undefined, -1],
      [1, "interests", 0],
      [2, "decisions", 0],
    ]);
    expect(down.kinds[down.start]).toBe(SEND);
    expect(up.kinds[up.start]).toBe(RECV);
    expect([...down.kinds]).toContain(FORK);
    expect(down.families.get("object")?.role).toBe("Down");
    // Up receives on lane 1 exactly the labels of the interests lane
    const labels = (ids: readonly number[]) => ids.map((i) => up.catalog.specs[i]!.label);
    expect(labels(up.lanes[1]!.receives)).toEqual(["Interest", "InterestsDone", "Observe"]);
    expect(labels(up.lanes[2]!.receives)).toEqual([]);
  });

  it("marks a loop that nothing follows as a place where the session may end", () => {
    const g = seq(send("P", "Q", A), loop("P", send("P", "Q", B)));
    for (const role of ["P", "Q"] as const) {
      const p = project(g, role);
      const head = p.next[p.start * p.labelCount + p.catalog.ids.get("A")!]!;
      expect(p.final[head]).toBe(1);
      expect(p.kinds[head]).toBe(role === "P" ? SEND : RECV);
      expect(p.final[p.start]).toBe(0);
    }
  });

  it("accepts nested routes in loops and a route exit followed by the controller's message", () => {
    const g = seq(loop("P", route("P", send("P", "Q", A), seq(send("P", "Q", B), send("Q", "P", C)))), send("P", "Q", D));
    const q = project(g, "Q");
    expect(q.permitted(q.start)).toBe("D | A | B"); // D is sent outside the loop: the opening exchange's id comes first
    expect(q.kinds.filter((k) => k === END).length).toBe(1);
  });
});

describe("project: rejections name the step", () => {
  it("a route whose arms start with different senders", () => {
    const e = rejection(() => project(seq(send("P", "Q", A), route("P", send("P", "Q", B), send("Q", "P", C))), "P"));
    expect(e.message).toMatch(/different senders/);
    expect(e.step).toBe("step 2 > route(P) > arm 2 > Q->P C");
  });

  it("a role that cannot tell which arm was taken", () => {
    const g = seq(
      send("A", "B", A),
      route("A", seq(send("A", "B", B), send("B", "C", C)), seq(send("A", "B", C), send("C", "B", D))),
    );
    const e = rejection(() => project(g, "A"));
    expect(e.message).toMatch(/C cannot tell which arm was taken/);
    expect(e.step).toBe("step 2 > route(A)");
  });

  it("two arms that start with the same label", () => {
    const e = rejection(() => project(route("P", seq(send("P", "Q", A), send("P", "Q", B)), seq(send("P", "Q", A), send("Q", "P", C))), "Q"));
    expect(e.message).toMatch(/Q cannot tell which arm was taken: label "A" starts arm 1 and arm 2/);
    expect(e.step).toBe("route(P)");
  });

  it("ambiguous labels across parallel lanes", () => {
    const e = rejection(() => project(seq(send("P", "Q", B), par(send("P", "Q", A), seq(send("Q", "P", C), send("P", "Q", A)))), "P"));
    expect(e.message).toMatch(/label "A" is used in parallel lanes 1 and 2/);
    expect(e.step).toBe("step 2 > par");
  });

  it("an unguarded loop whose body can repeat without a message", () => {
    const e = rejection(() => project(seq(send("P", "Q", A), loop("P", loop("P", send("P", "Q", B)))), "Q"));
    expect(e.message).toMatch(/unguarded loop: its body can repeat without a message/);
    expect(e.step).toBe("step 2 > loop(P)");
  });

  it("a loop body that begins with the other role's message", () => {
    const e = rejection(() => project(loop("P", send("Q", "P", A)), "P"));
    expect(e.message).toMatch(/controlled by P but its body can start with A from Q/);
    expect(e.step).toBe("loop(P) > Q->P A");
  });

  it("a loop exit that is not signalled by the controller", () => {
    const e = rejection(() => project(seq(loop("P", send("P", "Q", A)), send("Q", "P", B)), "Q"));
    expect(e.message).toMatch(/after the loop P first receives B, but only the controller P can end the loop/);
    expect(e.step).toBe("step 1 > loop(P)");
  });

  it("a loop that ends a par lane while the protocol continues", () => {
    const e = rejection(() => project(seq(par(loop("P", send("P", "Q", A)), send("Q", "P", B)), send("P", "Q", C)), "P"));
    expect(e.message).toMatch(/last step of lane 1, but the protocol continues after the par/);
    expect(e.step).toBe("step 1 > par > lane 1 > loop(P)");
  });

  it("a label that both repeats and exits a loop", () => {
    const e = rejection(() => project(seq(loop("P", send("P", "Q", A)), send("P", "Q", A)), "P"));
    expect(e.message).toMatch(/label "A" both repeats and ends the loop/);
  });

  it("a label declared by two different specs, a self-send, an unknown role, duplicate lane names", () => {
    const A2 = message("A", any);
    expect(rejection(() => project(seq(send("P", "Q", A), send("P", "Q", A2)), "P")).message).toMatch(/declared by two different message specs/);
    expect(rejection(() => project(send("P", "P", A), "P")).message).toMatch(/P sends to itself/);
    expect(rejection(() => project(send("P", "Q", A), "R" as never)).message).toMatch(/role "R" does not appear in the protocol; its roles are P, Q/);
    const lanes = seq(par({ x: send("P", "Q", A) }), par({ x: send("P", "Q", B) }));
    expect(rejection(() => project(lanes, "P")).message).toMatch(/lane name "x" is used twice/);
  });

  it("rejects an endpoint-unsafe family too", () => {
    const bad = family("bad", route("Q", send("Q", "P", A), send("P", "Q", B)));
    const Open = message("Open", schema((u) => u as { id: number }), { opens: bad, sessionId: (p) => p.id });
    const e = rejection(() => project(send("P", "Q", Open), "P"));
    expect(e.message).toMatch(/different senders/);
  });
});
