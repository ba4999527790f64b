/**
 * Renders docs/protocol.md from the link protocol's own declaration (lib/sync), so the document cannot
 * drift from the code: `npm run docs` writes it, and a test fails when it is out of date.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { mermaid } from "../lib/choreography/index.js";
import { objectSession } from "../lib/sync/object-session.js";
import { MAX_ROUND_TRIP_MS } from "../lib/sync/messages.js";
import { linkProtocol, PROGRAM_HASH, PROTOCOL_VERSION } from "../lib/sync/protocol.js";

export function renderProtocolDocument(): string {
  return `# The hakuban link protocol

Generated from \`lib/sync/protocol.ts\` and \`lib/sync/object-session.ts\` by \`npm run docs\`; do not edit.
Protocol version ${PROTOCOL_VERSION}, program hash \`${PROGRAM_HASH}\` (both are checked in the handshake).

A child node (**Down**) links to its parent (**Up**). Interest flows up, elections flow down, states flow
whichever way the data has to go. Every message is checked against this declaration on arrival: a
message the protocol does not permit at that point, or whose payload does not fit its schema, ends the
link with a typed error.

## The link (session 0)

\`\`\`mermaid
${mermaid(linkProtocol).trimEnd()}
\`\`\`

- **Hello** carries the protocol version, the program hash, the child's name, a resume token
  (stable across the child's reconnects, so the parent can diff against what the child already holds)
  and, optionally, the child's token (its credentials, at most 16384 characters) and \`patches\`, the
  formats besides JSON whose diffs it can patch (at most 64 names); **Welcome** lists the parent's the
  same way, and each side diffs a format only toward a peer that listed it. A mismatch, or a
  token the parent's authenticator does not accept, gets **Refuse** with a reason; the child logs it and
  stops retrying (unless its token comes from a function, which may give a new one: then it redials with
  backoff). **Welcome** names the principal the parent took the child for and when it expires. Labels travel as
  numbers: Hello, Welcome and Refuse (the opening exchange) are 0, 1 and 2 in every version, the other
  labels follow in alphabetical order, so peers of different versions always read each other's
  handshake and a mismatch is refused cleanly.
- **Open** announces one object's session (below) with the child's interest in it: observed, the summed
  capacity of its exposers, and the version it holds with that version's epoch.
- **TagInterest** reports what the child's subtree does with a tag (observes it, can expose it with a
  summed capacity). **Announce**/**Withdraw** tell the child of objects carrying a tag it observes, or
  that one of its tag exposers must expose; the child hears of nothing else.
- **Sync**/**Synced** bracket the replay of interests a (re)connection starts with.
- **Ping**/**Pong** keep the link alive; a silent peer is dropped. The child times its Pings to their
  Pongs, and each Ping carries the last round trip it measured (\`rtt\`, in milliseconds, at most
  ${MAX_ROUND_TRIP_MS}), so the parent knows it too.
- **Refresh** sends new credentials on the live link; the parent re-authenticates, takes the grants of
  the same principal under its policy and answers **Refreshed** (with the new expiry). A token it
  refuses, or one naming another principal, ends the link with a **Farewell** marked \`refused\`.
- **TagDenied**/**TagGranted**: the parent's policy (or the link's quota) denies the child's interest in
  a tag, with the reason, or grants it again.
- **Bye**/**Farewell**: whoever leaves first sends its own; the other answers with its.

## One object's session

\`\`\`mermaid
${mermaid(objectSession).trimEnd()}
\`\`\`

- The parent answers Open with **Assign** (the child's subtree exposes the object) or **Release** (it
  does not), with the epoch of the election in force and the newest version of that election it knows,
  so the child's exposer orders its versions after it. Each election of an exposer has an epoch that
  only grows, counted by the node that elects (the root, or a subtree's top while it is cut off); the
  parent sends Assign again when it elects the same subtree anew. States order by epoch, then version:
  the first state of a new election supersedes the former exposer's, whatever their versions.
- **Need**/**Unneed**: while the child's subtree exposes the object and someone outside it observes it,
  the child sends its states up; Need names the version (and epoch) the parent holds.
- **StateUp**/**StateDown** carry a state (with its epoch) in full, as a JSON Patch against the state
  the receiver holds, or as a change of the synchronized flag (or epoch) only, in the compact binary
  form of \`lib/sync/wire/state-codec.ts\`. A state's format stack travels with it; data of any format but
  JSON is bytes, which go whole and untouched, or as the bytes of their codec's diff toward a receiver
  that listed the format in its handshake (a diff of a format it did not list ends the link; a diff its
  codec cannot apply, or whose result is over the link's limits, too). The parent drops a child's state of any
  epoch but the one its last Assign named. Each update goes at once; the connection's flow window (byte
  receipts in the binding) holds a sender back, and a held-back sender keeps only the latest state of
  each object, so a slow receiver gets the newest state, never a queue. A receiver never applies a patch to another base:
  it asks for the full state instead (**AckUp**/**AckDown** with \`resync\`, the only acknowledgement).
- **Denied**/**Granted**: the parent's policy (or the link's quota) denies the child observing or
  exposing the object, with a reason naming the object and the missing grant (a denied observer gets no
  states, a denied exposer is never elected and its states are dropped), or grants it again.
- **Close**/**Closed** end the session when the child has no interest left.
`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(new URL("./protocol.md", import.meta.url), renderProtocolDocument());
}
