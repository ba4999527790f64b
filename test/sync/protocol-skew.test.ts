/**
 * A child of another protocol version is refused with a reason it can read: the handshake's messages keep
 * their wire ids whatever other messages a version adds.
 */
import { afterEach, expect, it } from "vitest";
import { createSessionMux } from "../../bindings/session-mux.js";
import { createEndpoint, loop, message, par, programHash, project, route, schema, send, seq } from "../../lib/choreography/index.js";
import { LocalNode } from "../../lib/index.js";
import { DownstreamLink } from "../../lib/sync/down/downstream-link.js";
import { Announce, Bye, Farewell, Hello, Open, Pong, Refuse, Welcome } from "../../lib/sync/messages.js";
import { linkProtocol, PROGRAM_HASH, PROTOCOL_VERSION } from "../../lib/sync/protocol.js";
import { createMemoryCarrierPair } from "../../transports/memory-carrier.js";

let root: LocalNode | undefined;
afterEach(async () => {
  await root?.close();
});

/**
 * A link protocol of another version: the same handshake, then lanes with other messages, among them one
 * whose label sorts before every label of this version (so only the handshake's fixed ids can match).
 */
const Aardvark = message("Aardvark", schema((value: unknown) => value));
const newerProtocol = seq(
  send("Down", "Up", Hello),
  route(
    "Up",
    seq(
      send("Up", "Down", Welcome),
      par({
        interests: seq(loop("Down", route("Down", send("Down", "Up", Open), send("Down", "Up", Aardvark))), send("Down", "Up", Bye)),
        decisions: seq(loop("Up", route("Up", send("Up", "Down", Announce), send("Up", "Down", Pong))), send("Up", "Down", Farewell)),
      }),
    ),
    send("Up", "Down", Refuse),
  ),
);

it("a parent refuses a child of a newer protocol, and the child reads the refusal", async () => {
  expect(programHash(newerProtocol)).not.toBe(PROGRAM_HASH);
  expect(programHash(linkProtocol)).toBe(PROGRAM_HASH);
  root = new LocalNode({ name: "root" });
  const memory = createMemoryCarrierPair();
  const parent = new DownstreamLink(root, createSessionMux(memory.b));
  const child = createEndpoint(project(newerProtocol, "Down"), createSessionMux(memory.a), { checkOutbound: false });
  child.send("Hello", { protocol: PROTOCOL_VERSION + 1, program: programHash(newerProtocol), node: "newer", resume: "x" });
  const answer = await child.offer();
  expect(answer.label).toBe("Refuse");
  expect(String((answer.recv() as { reason: string }).reason)).toMatch(/protocol mismatch/);
  expect(String(await parent.closed)).toMatch(/refused newer/);
});

it("a parent refuses a child of the previous protocol version even when the structure's hash is the same (a change of a message's fields only)", async () => {
  root = new LocalNode({ name: "root" });
  const memory = createMemoryCarrierPair();
  const parent = new DownstreamLink(root, createSessionMux(memory.b));
  const child = createEndpoint(project(linkProtocol, "Down"), createSessionMux(memory.a), { checkOutbound: false });
  child.send("Hello", { protocol: PROTOCOL_VERSION - 1, program: PROGRAM_HASH, node: "older", resume: "x" });
  const answer = await child.offer();
  expect(answer.label).toBe("Refuse");
  expect(String((answer.recv() as { reason: string }).reason)).toMatch(new RegExp(`speaks ${PROTOCOL_VERSION - 1} \\(${PROGRAM_HASH}\\)`));
  expect(String(await parent.closed)).toMatch(/refused older/);
});
