import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { renderProtocolDocument } from "../../docs/render-protocol.js";

it("docs/protocol.md is rendered from the protocol as declared (run `npm run docs` after changing it)", () => {
  const onDisk = readFileSync(new URL("../../docs/protocol.md", import.meta.url), "utf8");
  expect(onDisk).toBe(renderProtocolDocument());
});
