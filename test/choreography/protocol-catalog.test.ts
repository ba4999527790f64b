import { describe, expect, it } from "vitest";
import { buildCatalog, loop, message, par, route, schema, send, seq } from "../../lib/choreography/index.js";

const s = schema((u: unknown) => u);
const m = (label: string) => message(label, s);
const [Hello, Welcome, Refuse, Ping, Open, Bye] = ["Hello", "Welcome", "Refuse", "Ping", "Open", "Bye"].map(m) as [
  ReturnType<typeof m>, ReturnType<typeof m>, ReturnType<typeof m>, ReturnType<typeof m>, ReturnType<typeof m>, ReturnType<typeof m>,
];

/** A handshake, then lanes whose loops carry `extra` besides Ping and Open. */
function protocol(...extra: ReturnType<typeof m>[]) {
  return seq(
    send("C", "P", Hello),
    route(
      "P",
      seq(send("P", "C", Welcome), par({ up: seq(loop("C", route("C", ...[Ping, Open, ...extra].map((x) => send("C", "P", x)))), send("C", "P", Bye)) })),
      send("P", "C", Refuse),
    ),
  );
}

describe("wire label ids", () => {
  it("the opening exchange (sends outside loops and lanes) takes the first ids in declaration order; the rest follow alphabetically", () => {
    const { ids } = buildCatalog(protocol());
    expect([...ids]).toEqual([
      ["Hello", 0],
      ["Welcome", 1],
      ["Refuse", 2],
      ["Bye", 3],
      ["Open", 4],
      ["Ping", 5],
    ]);
  });

  it("adding a message that sorts first keeps the opening exchange's ids, so peers of both versions understand each other's handshake", () => {
    const before = buildCatalog(protocol()).ids;
    const after = buildCatalog(protocol(m("Aardvark"))).ids;
    for (const label of ["Hello", "Welcome", "Refuse"]) expect(after.get(label)).toBe(before.get(label));
    expect(after.get("Aardvark")).toBe(3);
  });
});
