/**
 * Shared test protocols: a small link protocol in the shape the hakuban sync protocol will take
 * (handshake, route, parallel looped lanes, a per-object session family, goodbye).
 */
import { family, loop, message, par, route, schema, send, seq } from "../../lib/choreography/index.js";

/** A schema for flat objects whose fields have the given primitive types. */
export function shape<T>(fields: Record<keyof T & string, "number" | "string" | "boolean">, name?: string) {
  return schema((value: unknown): T => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) throw new TypeError("expected an object");
    for (const [key, type] of Object.entries(fields)) {
      if (typeof (value as Record<string, unknown>)[key] !== type) throw new TypeError(`field ${key} must be a ${type}`);
    }
    return value as T;
  }, name);
}

export const Hello = message("Hello", shape<{ version: number }>({ version: "number" }, "Hello"));
export const Welcome = message("Welcome", shape<{ node: string }>({ node: "string" }));
export const Refuse = message("Refuse", shape<{ reason: string }>({ reason: "string" }));
export const Interest = message("Interest", shape<{ key: string }>({ key: "string" }));
export const InterestsDone = message("InterestsDone", shape<{ count: number }>({ count: "number" }));
export const Assign = message("Assign", shape<{ key: string }>({ key: "string" }));
export const Release = message("Release", shape<{ key: string }>({ key: "string" }));
export const DecisionsDone = message("DecisionsDone", shape<{ count: number }>({ count: "number" }));
export const Bye = message("Bye", shape<{ reason: string }>({ reason: "string" }));

export const State = message("State", shape<{ version: number; data: string }>({ version: "number", data: "string" }));
export const Patch = message("Patch", shape<{ version: number; data: string }>({ version: "number", data: "string" }));
export const Gone = message("Gone", shape<{ version: number }>({ version: "number" }));
export const Missing = message("Missing", shape<{ key: string }>({ key: "string" }));

/** Per-object session: Up either sends State, patches and Gone, or says the object is Missing. */
export const objectProtocol = route(
  "Up",
  seq(send("Up", "Down", State), loop("Up", send("Up", "Down", Patch)), send("Up", "Down", Gone)),
  send("Up", "Down", Missing),
);
export const objectFamily = family("object", objectProtocol);
export const Observe = message("Observe", shape<{ session: number; key: string }>({ session: "number", key: "string" }), {
  opens: objectFamily,
  sessionId: (p) => p.session,
});

/** The link: Hello; Welcome (then two looped lanes and Bye) or Refuse. */
export const link = seq(
  send("Down", "Up", Hello),
  route(
    "Up",
    seq(
      send("Up", "Down", Welcome),
      par({
        interests: seq(loop("Down", route("Down", send("Down", "Up", Interest), send("Down", "Up", Observe))), send("Down", "Up", InterestsDone)),
        decisions: seq(loop("Up", route("Up", send("Up", "Down", Assign), send("Up", "Down", Release))), send("Up", "Down", DecisionsDone)),
      }),
      send("Down", "Up", Bye),
    ),
    send("Up", "Down", Refuse),
  ),
);
