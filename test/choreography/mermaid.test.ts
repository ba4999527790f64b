import { describe, expect, it } from "vitest";
import { mermaid } from "../../lib/choreography/index.js";
import { link, objectProtocol } from "./fixtures.js";

describe("mermaid", () => {
  it("renders the link protocol with alt/else, par/and and loop blocks", () => {
    expect(mermaid(link)).toBe(
      [
        "sequenceDiagram",
        "  participant Down",
        "  participant Up",
        "  Down->>Up: Hello",
        "  alt Up: Welcome",
        "    Up->>Down: Welcome",
        "    par interests",
        "      loop Down repeats",
        "        alt Down: Interest",
        "          Down->>Up: Interest",
        "        else Down: Observe",
        "          Down->>Up: Observe (opens object)",
        "        end",
        "      end",
        "      Down->>Up: InterestsDone",
        "    and decisions",
        "      loop Up repeats",
        "        alt Up: Assign",
        "          Up->>Down: Assign",
        "        else Up: Release",
        "          Up->>Down: Release",
        "        end",
        "      end",
        "      Up->>Down: DecisionsDone",
        "    end",
        "    Down->>Up: Bye",
        "  else Up: Refuse",
        "    Up->>Down: Refuse",
        "  end",
        "",
      ].join("\n"),
    );
  });

  it("renders a family's protocol on its own, participants in order of first mention", () => {
    expect(mermaid(objectProtocol)).toBe(
      [
        "sequenceDiagram",
        "  participant Up",
        "  participant Down",
        "  alt Up: State",
        "    Up->>Down: State",
        "    loop Up repeats",
        "      Up->>Down: Patch",
        "    end",
        "    Up->>Down: Gone",
        "  else Up: Missing",
        "    Up->>Down: Missing",
        "  end",
        "",
      ].join("\n"),
    );
  });
});
