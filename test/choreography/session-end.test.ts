import { describe, expect, it } from "vitest";
import { createEndpoint, message, PhaseInvariant, project, send, seq, SessionFault } from "../../lib/choreography/index.js";
import { shape } from "./fixtures.js";
import { loopbackPair } from "./loopback-mux.js";

const Ping = message("Ping", shape<{ n: number }>({ n: "number" }));
const Pong = message("Pong", shape<{ n: number }>({ n: "number" }));
const pingPong = seq(send("A", "B", Ping), send("B", "A", Pong));

function pair() {
  const [x, y] = loopbackPair("sync");
  return { a: createEndpoint(project(pingPong, "A"), x), b: createEndpoint(project(pingPong, "B"), y) };
}

describe("the session end", () => {
  it("tells every onEnd listener once, functions and objects alike, and a late one at once", async () => {
    const { a, b } = pair();
    const heard: string[] = [];
    a.onEnd((error) => heard.push(`first ${String(error)}`));
    a.onEnd({ sessionEnded: (error) => heard.push(`second ${String(error)}`) });
    a.onEnd((error) => heard.push(`third ${String(error)}`));
    b.serve({ Ping: () => {} });
    a.send("Ping", { n: 1 });
    b.send("Pong", { n: 1 });
    expect(a.state).toBe("done");
    expect(heard).toEqual(["first undefined", "second undefined", "third undefined"]);
    a.onEnd((error) => heard.push(`late ${String(error)}`));
    expect(heard).toHaveLength(4);
    expect(await a.closed).toBeUndefined();
  });

  it("ends once: the first fault wins, later ends change nothing, and operations after it name the fault as cause", async () => {
    const { a, b } = pair();
    const faults: (Error | undefined)[] = [];
    a.onEnd((error) => faults.push(error));
    a.onEnd((error) => faults.push(error));
    a.abort("first");
    a.abort("second");
    a.close();
    expect(a.state).toBe("faulted");
    expect(faults).toHaveLength(2);
    expect(faults[0]).toBeInstanceOf(SessionFault);
    expect(faults[1]).toBe(faults[0]);
    expect(faults[0]!.message).toBe("session 0 (A) was aborted by the application: first");
    expect(await a.closed).toBe(faults[0]);
    let after: unknown;
    try {
      a.send("Ping", { n: 1 });
    } catch (error) {
      after = error;
    }
    expect(after).toBeInstanceOf(PhaseInvariant);
    expect((after as Error).cause).toBe(faults[0]);
    // The peer heard of it through the wire.
    expect(b.state).toBe("faulted");
  });
});
