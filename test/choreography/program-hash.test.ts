import { describe, expect, it } from "vitest";
import { canonicalForm, family, loop, message, par, programHash, project, route, schema, send, seq } from "../../lib/choreography/index.js";
import { link } from "./fixtures.js";

const s = schema((u: unknown) => u);
const A = message("A", s);
const B = message("B", s);
const C = message("C", s);

const base = () => seq(send("P", "Q", A), route("Q", send("Q", "P", B), send("Q", "P", C)));

describe("programHash", () => {
  it("is 16 hex digits, stable across builds and pinned for a known protocol", () => {
    expect(programHash(base())).toMatch(/^[0-9a-f]{16}$/);
    expect(programHash(base())).toBe(programHash(base()));
    expect(canonicalForm(base())).toBe('Q(S("P","Q","A"),R("Q";S("Q","P","B"),S("Q","P","C")))');
    // Pinned: a change here breaks handshakes with peers running the previous build.
    expect(programHash(base())).toBe("a4ef4c6308261b33");
    expect(project(link, "Down").hash).toBe(programHash(link));
  });

  it("ignores schema code and seq nesting", () => {
    const other = message("A", schema((u: unknown) => String(u)));
    expect(programHash(seq(send("P", "Q", other), route("Q", send("Q", "P", B), send("Q", "P", C))))).toBe(programHash(base()));
    expect(programHash(seq(seq(send("P", "Q", A)), route("Q", send("Q", "P", B), seq(send("Q", "P", C)))))).toBe(programHash(base()));
  });

  it("changes with labels, roles, shape, lane names and families", () => {
    const h = programHash(base());
    const variants = [
      seq(send("P", "Q", message("A2", s)), route("Q", send("Q", "P", B), send("Q", "P", C))),
      seq(send("P", "R", A), route("R", send("R", "P", B), send("R", "P", C))),
      seq(send("P", "Q", A), route("Q", send("Q", "P", C), send("Q", "P", B))),
      seq(send("P", "Q", A), loop("Q", route("Q", send("Q", "P", B), send("Q", "P", C)))),
      seq(send("P", "Q", A), par(send("Q", "P", B), send("Q", "P", C))),
      seq(send("P", "Q", A), par({ x: send("Q", "P", B), y: send("Q", "P", C) })),
      seq(send("P", "Q", A), par({ x: send("Q", "P", B), z: send("Q", "P", C) })),
    ];
    const hashes = variants.map(programHash);
    expect(new Set([h, ...hashes]).size).toBe(variants.length + 1);

    const famA = family("f", send("P", "Q", B));
    const famB = family("f", send("P", "Q", C));
    const Open = (f: typeof famA | typeof famB) => message("Open", schema((u) => u as { id: number }), { opens: f, sessionId: (p) => p.id });
    expect(programHash(send("P", "Q", Open(famA)))).not.toBe(programHash(send("P", "Q", Open(famB))));
    expect(canonicalForm(send("P", "Q", Open(famA)))).toBe('S("P","Q","Open",opens="f");F("f":S("P","Q","B"))');
  });
});
