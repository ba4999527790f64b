/**
 * Renders docs/protocol.md from the link protocol's own declaration (lib/sync), so the document cannot
 * drift from the code: `npm run docs` writes it, and a test fails when it is out of date.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { mermaid } from "../lib/choreography/index.js";
import { objectSession } from "../lib/sync/object-session.js";
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

- **Hello** carries the protocol version, the program hash, the child's name and a resume token
  (stable across the child's reconnects, so the parent can diff against what the child already holds).
  A mismatch gets **Refuse** with a reason; the child logs it and stops retrying. Labels travel as
  numbers: Hello, Welcome and Refuse (the opening exchange) are 0, 1 and 2 in every version, the other
  labels follow in alphabetical order, so peers of different versions always read each other's
  handshake and a mismatch is refused cleanly.
- **Open** announces one object's session (below) with the child's interest in it: observed, the summed
  capacity of its exposers, and the version it holds.
- **TagInterest** reports what the child's subtree does with a tag (observes it, can expose it with a
  summed capacity). **Announce**/**Withdraw** tell the child of objects carrying a tag it observes, or
  that one of its tag exposers must expose; the child hears of nothing else.
- **Sync**/**Synced** bracket the replay of interests a (re)connection starts with.
- **Ping**/**Pong** keep the link alive; a silent peer is dropped.
- **Bye**/**Farewell**: whoever leaves first sends its own; the other answers with its.

## One object's session

\`\`\`mermaid
${mermaid(objectSession).trimEnd()}
\`\`\`

- The parent answers Open with **Assign** (the child's subtree exposes the object) or **Release** (it
  does not), and sends the newest version it knows, so a new exposer's versions order after it.
- **Need**/**Unneed**: while the child's subtree exposes the object and someone outside it observes it,
  the child sends its states up.
- **StateUp**/**StateDown** carry a state in full, as a JSON Patch against the version the receiver
  holds, or as a change of the synchronized flag only. Each is acknowledged (**AckUp**/**AckDown**); at
  most 4 states are in flight per object and direction, and a sender facing a slow receiver skips to the
  latest. A receiver never applies a patch to another base: it asks for the full state instead.
- **Close**/**Closed** end the session when the child has no interest left.
`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(new URL("./protocol.md", import.meta.url), renderProtocolDocument());
}
