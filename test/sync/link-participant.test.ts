import { expect, it } from "vitest";
import { LINK_END, type LinkParticipant, ownedBy } from "../../lib/sync/link-participant.js";

class Participant implements LinkParticipant {
  constructor(private readonly end: object) {}
  get [LINK_END](): object {
    return this.end;
  }
}

it("tells a link end's own participants from everyone else's", () => {
  const end = {};
  const other = {};
  expect(ownedBy(new Participant(end), end)).toBe(true);
  expect(ownedBy(new Participant(other), end)).toBe(false);
  expect(ownedBy({ end }, end)).toBe(false);
  expect(ownedBy(undefined, end)).toBe(false);
  expect(ownedBy(null, end)).toBe(false);
  expect(ownedBy(end, end)).toBe(false);
});
