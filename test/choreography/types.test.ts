/**
 * Type-level tests: `npm test`'s typecheck fails if any `@ts-expect-error` below stops being an error.
 * The calls run against real endpoints inside a closed session, where they only throw typed faults.
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import { createEndpoint, project, type Endpoint, type FamilyEvents, type RolesOf } from "../../lib/choreography/index.js";
import { link, objectFamily } from "./fixtures.js";
import { loopbackPair } from "./loopback-mux.js";

function ignoreFault(run: () => unknown): void {
  try {
    run();
  } catch {
    // Runtime faults are not what these tests are about.
  }
}

describe("endpoint types", () => {
  it("infer roles, payloads and labels from the global protocol", () => {
    expectTypeOf<RolesOf<typeof link>>().toEqualTypeOf<"Down" | "Up">();
    expect(() =>
      // @ts-expect-error "Dwn" is not a role of the protocol
      project(link, "Dwn"),
    ).toThrow(/role "Dwn" does not appear in the protocol/);
    const [a, b] = loopbackPair("sync");
    const down = createEndpoint(project(link, "Down"), a);
    const up = createEndpoint(project(link, "Up"), b);
    down.abort();
    up.abort();

    expectTypeOf(up.recv("Hello")).toEqualTypeOf<Promise<{ version: number }>>();
    expectTypeOf(down.lane("decisions").recv("Assign")).toEqualTypeOf<Promise<{ key: string }>>();
    // Sending an announcement returns the sub-session endpoint, typed by its family's protocol.
    ignoreFault(() => {
      const sub = down.send("Observe", { session: 1, key: "k" });
      expectTypeOf(sub).toEqualTypeOf<Endpoint<FamilyEvents<typeof objectFamily>, "Down">>();
      expectTypeOf(sub.recv("Patch")).toEqualTypeOf<Promise<{ version: number; data: string }>>();
    });
    ignoreFault(() => {
      expectTypeOf(down.send("Hello", { version: 1 })).toEqualTypeOf<undefined>();
    });

    ignoreFault(() => {
      // @ts-expect-error "Hallo" is not a label of the protocol
      down.send("Hallo", { version: 1 });
    });
    ignoreFault(() => {
      // @ts-expect-error Hello's payload needs a numeric version
      down.send("Hello", { version: "1" });
    });
    ignoreFault(() => {
      // @ts-expect-error Down never sends Welcome (Up does)
      down.send("Welcome", { node: "x" });
    });
    // @ts-expect-error Up never receives Welcome
    void up.recv("Welcome");
    ignoreFault(() =>
      up.lane("interests").serve({
        Interest: (p) => expectTypeOf(p).toEqualTypeOf<{ key: string }>(),
        InterestsDone: (p) => expectTypeOf(p.count).toEqualTypeOf<number>(),
        Observe: (p, session) => {
          expectTypeOf(p.session).toEqualTypeOf<number>();
          expectTypeOf(session).toEqualTypeOf<Endpoint<FamilyEvents<typeof objectFamily>, "Up">>();
        },
        // @ts-expect-error Up receives no label "Intrest"
        Intrest: () => {},
      }),
    );
    ignoreFault(() =>
      up.onSession(objectFamily, (session, announcement) => {
        expectTypeOf(announcement).toEqualTypeOf<{ session: number; key: string }>();
        // @ts-expect-error in object sessions Up sends State, not Interest
        session.send("Interest", { key: "k" });
      }),
    );
    expect(down.state).toBe("faulted");
  });

  it("narrows an offered branch by its label", async () => {
    const [a] = loopbackPair("sync");
    const down = createEndpoint(project(link, "Down"), a);
    down.abort();
    const offered = down.offer();
    await offered.then(
      (branch) => {
        if (branch.label === "Refuse") expectTypeOf(branch.recv()).toEqualTypeOf<{ reason: string }>();
        if (branch.label === "Welcome") expectTypeOf(branch.recv()).toEqualTypeOf<{ node: string }>();
      },
      () => undefined,
    );
    expect(down.state).toBe("faulted");
  });
});
