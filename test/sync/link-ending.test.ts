import { expect, it, vi } from "vitest";
import { type EndableSession, sendWhileOpen } from "../../lib/sync/link-ending.js";
import { welcomedPair } from "./control-pair.js";

/** A link that records why it was ended. */
function recordingLink(): EndableSession & { readonly aborts: string[] } {
  const aborts: string[] = [];
  return { state: "open", closed: new Promise(() => {}), abort: (reason) => void aborts.push(reason ?? ""), aborts };
}

it("sends on a session while it is open", async () => {
  const { child, pings, memory } = await welcomedPair({});
  const link = recordingLink();
  sendWhileOpen(link, child.endpoint, "interests", "Ping", {});
  await vi.waitFor(() => expect(pings.count).toBe(1));
  expect(link.aborts).toEqual([]);
  memory.faults.cut();
  await child.closed;
});

it("sends nothing on a session that ended, and leaves the link alone", async () => {
  const { child, memory } = await welcomedPair({});
  memory.faults.cut();
  await child.closed;
  const link = recordingLink();
  sendWhileOpen(link, child.endpoint, "interests", "Ping", {});
  expect(link.aborts).toEqual([]);
});

it("ends the link, not the caller, when the send fails", async () => {
  const { child, memory } = await welcomedPair({});
  const link = recordingLink();
  // A lane the protocol lacks: the endpoint throws, as a broken carrier's send would.
  expect(() => sendWhileOpen(link, child.endpoint, "no such lane", "Ping", {})).not.toThrow();
  expect(link.aborts).toHaveLength(1);
  expect(link.aborts[0]).toMatch(/^a send failed: /);
  memory.faults.cut();
  await child.closed;
});
