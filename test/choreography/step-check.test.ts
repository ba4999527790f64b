import { describe, expect, it } from "vitest";
import { LabelMismatch, message, par, PhaseInvariant, project, SchemaMismatch, send, seq } from "../../lib/choreography/index.js";
import { advance, startPosition } from "../../lib/choreography/program-cursor.js";
import { RECV, SEND } from "../../lib/choreography/role-program.js";
import { checkPayload, checkStep, type StepSite } from "../../lib/choreography/step-check.js";
import { shape } from "./fixtures.js";

const Ask = message("Ask", shape<{ n: number }>({ n: "number" }, "Ask"));
const Tell = message("Tell", shape<{ n: number }>({ n: "number" }));
const Note = message("Note", shape<{ n: number }>({ n: "number" }));
const Bye = message("Bye", shape<{ n: number }>({ n: "number" }));

/** P asks, Q tells; then a par whose lane 1 carries P's notes; then Bye. */
const protocol = seq(send("P", "Q", Ask), send("Q", "P", Tell), par(send("P", "Q", Note)), send("P", "Q", Bye));

function site(role: "P" | "Q"): StepSite & { position: number[] } {
  const program = project(protocol, role);
  const position: number[] = [];
  startPosition(program, position, 0);
  return { program, position, where: (lane) => `lane ${lane} of test` };
}

function id(s: StepSite, name: string): number {
  return s.program.catalog.ids.get(name)!;
}

function expectFault(fault: unknown, type: typeof PhaseInvariant | typeof LabelMismatch, text: RegExp): void {
  expect(fault).toBeInstanceOf(type);
  expect((fault as Error).message).toMatch(text);
}

describe("the step check, one for both directions", () => {
  it("passes a permitted step in either direction with the state the lane moves to", () => {
    const p = site("P");
    const q = site("Q");
    const sent = checkStep(p, p.position, 0, SEND, 0, id(p, "Ask"));
    const received = checkStep(q, q.position, 0, RECV, 0, id(q, "Ask"));
    expect(typeof sent).toBe("number");
    expect(typeof received).toBe("number");
    advance(p.program, p.position, 0, 0, sent as number);
    advance(q.program, q.position, 0, 0, received as number);
    expect(typeof checkStep(q, q.position, 0, SEND, 0, id(q, "Tell"))).toBe("number");
    expect(typeof checkStep(p, p.position, 0, RECV, 0, id(p, "Tell"))).toBe("number");
  });

  it("refuses a step of the other direction with a PhaseInvariant worded for the direction", () => {
    const p = site("P");
    const q = site("Q");
    expectFault(checkStep(q, q.position, 0, SEND, 0, id(q, "Tell")), PhaseInvariant, /^send\(Tell\) on lane 0 of test, but Q is expected to receive Ask at /);
    expectFault(checkStep(p, p.position, 0, RECV, 0, id(p, "Tell")), PhaseInvariant, /^lane 0 of test received Tell, but P is expected to send Ask at /);
  });

  it("refuses a label the step does not permit with a LabelMismatch worded for the direction", () => {
    const p = site("P");
    const q = site("Q");
    expectFault(checkStep(p, p.position, 0, SEND, 0, id(p, "Bye")), LabelMismatch, /^send\(Bye\) on lane 0 of test, but P is expected to send Ask at /);
    expectFault(checkStep(q, q.position, 0, RECV, 0, id(q, "Bye")), LabelMismatch, /^lane 0 of test received Bye, but Q is expected to receive Ask at /);
  });

  it("refuses a step on a lane that has not started, whichever the direction", () => {
    const p = site("P");
    const q = site("Q");
    expectFault(checkStep(p, p.position, 0, SEND, 1, id(p, "Note")), PhaseInvariant, /^send\(Note\) on lane 1 of test, but that lane has not started/);
    expectFault(checkStep(q, q.position, 0, RECV, 1, id(q, "Note")), PhaseInvariant, /^lane 1 of test received Note, but that lane has not started/);
  });

  it("checks payloads the same way both ways, naming the direction and the schema", () => {
    const p = site("P");
    const ask = p.program.catalog.specs[id(p, "Ask")]!;
    const tell = p.program.catalog.specs[id(p, "Tell")]!;
    expect(checkPayload(p, SEND, ask, 0, { n: 1 })).toEqual({ n: 1 });
    for (const [direction, moved] of [
      [SEND, "sent"],
      [RECV, "received"],
    ] as const) {
      let thrown: unknown;
      try {
        checkPayload(p, direction, ask, 0, { n: "one" });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(SchemaMismatch);
      expect((thrown as Error).message).toBe(`the payload of Ask ${moved} on lane 0 of test does not match schema Ask: field n must be a number`);
      expect((thrown as Error).cause).toBeInstanceOf(TypeError);
    }
    expect(() => checkPayload(p, RECV, tell, 0, null)).toThrow("does not match its schema: expected an object");
  });
});
