import { type EventsOf, loop, par, programHash, project, route, send, seq } from "../choreography/index.js";
import {
  Announce,
  Bye,
  Farewell,
  Hello,
  Open,
  Ping,
  Pong,
  Refresh,
  Refreshed,
  Refuse,
  Sync,
  Synced,
  TagDenied,
  TagGranted,
  TagInterest,
  Welcome,
  Withdraw,
} from "./messages.js";

/**
 * The hakuban link protocol, declared once: a child node (Down) connects to its parent (Up).
 *
 *   Hello (with the child's token, if any); then Welcome (who the parent took the child for) or Refuse
 *   (the handshake or the authentication failed, and why). After Welcome, two lanes run side by side
 *   until one side leaves:
 *   - the child's lane: Open (an object session, see object-session.ts), TagInterest, Sync, Ping, Refresh
 *     (new credentials); ends with Bye;
 *   - the parent's lane: Announce, Withdraw, Synced, Pong, Refreshed, TagDenied and TagGranted (what its
 *     policy says of a tag interest); ends with Farewell (`refused` when it no longer accepts the credentials).
 *   Whoever leaves first sends its closing message; the other answers with its own.
 *
 * Interest flows up (Open, Interest, TagInterest), election flows down (Assign, Release, Need, Unneed,
 * Announce, Withdraw), and states flow whichever way the data has to go.
 */
export const linkProtocol = seq(
  send("Down", "Up", Hello),
  route(
    "Up",
    seq(
      send("Up", "Down", Welcome),
      par({
        interests: seq(
          loop("Down", route("Down", send("Down", "Up", Open), send("Down", "Up", TagInterest), send("Down", "Up", Sync), send("Down", "Up", Ping), send("Down", "Up", Refresh))),
          send("Down", "Up", Bye),
        ),
        decisions: seq(
          loop(
            "Up",
            route(
              "Up",
              send("Up", "Down", Announce),
              send("Up", "Down", Withdraw),
              send("Up", "Down", Synced),
              send("Up", "Down", Pong),
              send("Up", "Down", Refreshed),
              send("Up", "Down", TagDenied),
              send("Up", "Down", TagGranted),
            ),
          ),
          send("Up", "Down", Farewell),
        ),
      }),
    ),
    send("Up", "Down", Refuse),
  ),
);

/** Bumped on any incompatible change of the messages' meaning; the hash below catches shape changes. */
export const PROTOCOL_VERSION = 7;
/** Fingerprint of the protocol's structure, compared in the handshake. */
export const PROGRAM_HASH = programHash(linkProtocol);
/** What the child runs. */
export const downProgram = project(linkProtocol, "Down");
/** What travels in the link's control session, by role and label (for typed sends). */
export type LinkEvents = EventsOf<typeof linkProtocol>;
/** What the parent runs. */
export const upProgram = project(linkProtocol, "Up");
