/**
 * A hostile client that completes the handshake and then sends one bad frame over a real WebSocket:
 * whatever the kind (a payload that cannot be decoded, a compressed payload that lies about its size
 * or is corrupt, JSON nested too deep, a frame or reset over the limits, a frame for a session that
 * ended or was never announced), its link is closed at that frame, and the listener logs one line that
 * names the limit or violation, while an honest observer linked to the same listener keeps receiving
 * an exposer's updates.
 */
import { deflateSync } from "fflate";
import { afterEach, expect, it } from "vitest";
import { FLAG_COMPRESSED, FLAG_RESET } from "../../bindings/frame-header.js";
import { createSessionMux } from "../../bindings/session-mux.js";
import { varUintSize, writeVarUint } from "../../bindings/varint.js";
import { createEndpoint } from "../../lib/choreography/index.js";
import { LocalNode, connect, listen } from "../../lib/node-entry.js";
import { PROGRAM_HASH, PROTOCOL_VERSION, downProgram } from "../../lib/sync/protocol.js";
import { dialWs } from "../../transports/node/ws-dial.js";
import { message, type TestFrame } from "../bindings/frames.js";
import { first, status } from "./helpers.js";

const nodes: LocalNode[] = [];
const timers: ReturnType<typeof setInterval>[] = [];
afterEach(async () => {
  for (const timer of timers.splice(0)) clearInterval(timer);
  await Promise.all(nodes.splice(0).map((node) => node.close()));
});

const utf8 = (text: string) => new TextEncoder().encode(text);
const label = (name: string) => downProgram.catalog.ids.get(name) as number;
/** Lane 1 of the link is the child's "interests" lane, where TagInterest is permitted at any time. */
const INTERESTS = 1;

/** A compressed payload of `raw` that declares `declared` inflated bytes. */
function compressed(raw: Uint8Array, declared: number): Uint8Array {
  const stream = deflateSync(raw, { level: 6 });
  const payload = new Uint8Array(varUintSize(declared) + stream.length);
  payload.set(stream, writeVarUint(payload, 0, declared));
  return payload;
}

/** A bad frame (or frames) to send, after opening and ending the object sessions in `ended`. */
interface Attack {
  readonly ended?: readonly number[];
  readonly frames: readonly TestFrame[];
}

/**
 * One hostile connection named `name`: the link's handshake done by the book, object sessions opened
 * and ended by the book, then the attack's frames sent raw, in one message; resolves once the parent
 * closed the connection.
 */
async function hostile(url: string, name: string, attack: Attack): Promise<void> {
  const carrier = await dialWs(url);
  const mux = createSessionMux(carrier);
  const child = createEndpoint(downProgram, mux, { checkOutbound: false, tap: null });
  child.send("Hello", { protocol: PROTOCOL_VERSION, program: PROGRAM_HASH, node: name, resume: name });
  await (await child.offer()).recv();
  for (const session of attack.ended ?? []) {
    const opened = child.lane("interests").send("Open", { session, object: { tags: [], json: name }, observed: true, capacity: 0 } as never);
    (opened as { abort(): void }).abort();
  }
  while (mux.bufferedAmount > 0) await new Promise<void>((resolve) => setImmediate(resolve)); // those frames go first
  carrier.send(message(...attack.frames));
  await child.closed;
  mux.close();
}

it("closes a link at its first bad frame, with a log line naming the limit or violation, while the others keep receiving", async () => {
  const lines: string[] = [];
  const router = new LocalNode({ name: "router" });
  nodes.push(router);
  const options = { keepAliveMs: 200 };
  const listener = await listen(router, {
    port: 0,
    ...options,
    mux: { limits: { maxFrameBytes: 64 * 1024, maxMessageBytes: 1024 * 1024 } },
    log: (line) => lines.push(line),
  });
  const exposerNode = new LocalNode({ name: "exposer" });
  const observerNode = new LocalNode({ name: "observer" });
  nodes.push(exposerNode, observerNode);
  await status(connect(exposerNode, listener.url, options), "connected");
  await status(connect(observerNode, listener.url, options), "connected");
  const exposer = exposerNode.object(["ticks"], null).expose<number>();
  let tick = 0;
  timers.push(setInterval(() => exposer.set(++tick), 10));
  const observer = observerNode.object(["ticks"], null).observe<number>();
  await first(observer.state$, (state) => state?.synchronized === true);

  const tagInterest = (payload: Uint8Array | string, flags = 0): TestFrame => ({ session: 0, lane: INTERESTS, label: label("TagInterest"), flags, payload });
  const deep = utf8("[".repeat(500_000) + "]".repeat(500_000));
  const cases: Array<[string, Attack, RegExp]> = [
    ["bad JSON", { frames: [tagInterest("{not json"), tagInterest("{}")] }, /Frame on session 0: Cannot decode a 9-byte payload as UTF-8 JSON/],
    ["bad UTF-8", { frames: [tagInterest(Uint8Array.of(0x22, 0xff, 0x22))] }, /Frame on session 0: Cannot decode a 3-byte payload as UTF-8 JSON/],
    [
      "deep JSON",
      { frames: [tagInterest(compressed(deep, deep.length), FLAG_COMPRESSED)] },
      /Frame on session 0: A 1000000-byte JSON payload nests arrays and objects deeper than maxJsonDepth \(80\) at byte 80; refused before parsing/,
    ],
    [
      "a size declared too small",
      { frames: [tagInterest(compressed(utf8(`"${"a".repeat(5_000_000)}"`), 1000), FLAG_COMPRESSED)] },
      /Frame on session 0: Compressed payload inflates to more than its declared 1000 bytes/,
    ],
    [
      "a size declared too large",
      { frames: [tagInterest(compressed(utf8("{}"), 64 * 1024 * 1024), FLAG_COMPRESSED)] },
      /Frame on session 0: Compressed payload inflates to 2 bytes, not the 67108864 bytes it declares/,
    ],
    [
      "a size over the limit",
      { frames: [tagInterest(compressed(utf8("{}"), 64 * 1024 * 1024 + 1), FLAG_COMPRESSED)] },
      /Frame on session 0: Compressed payload declares 67108865 inflated bytes, over maxInflatedBytes \(67108864\)/,
    ],
    ["corrupt deflate", { frames: [tagInterest(Uint8Array.of(8, 0xff, 0xff, 0xff, 0xff), FLAG_COMPRESSED)] }, /Frame on session 0: Corrupt compressed payload/],
    ["a frame over maxFrameBytes", { frames: [tagInterest("x".repeat(64 * 1024 + 1))] }, /A frame of 65537 bytes on session 0 exceeds maxFrameBytes \(65536\)/],
    ["a reset reason too long", { frames: [{ session: 0, flags: FLAG_RESET, payload: "r".repeat(801) }] }, /The reset of session 0 carries a 801-byte reason/],
    ["a frame for a session never announced", { frames: [{ session: 7, payload: "{}" }] }, /the peer sent a frame for session 7, which was never announced on this connection/],
    ["a frame for a session that ended", { ended: [1], frames: [{ session: 1, payload: "{}" }] }, /the peer sent a frame for session 1, which has ended on both sides/],
  ];
  for (const [what, attack, reason] of cases) {
    const name = what.replaceAll(" ", "-");
    const logged = lines.length;
    await hostile(listener.url, name, attack);
    expect(await waitForLine(lines, logged, new RegExp(`child "${name}" .*disconnected: `)), what).toMatch(reason);
  }

  // The honest clients never noticed: the observer still gets fresh updates through the same router.
  const before = observer.data ?? 0;
  const after = await first(observer.state$, (state) => state !== undefined && state.data > before + 3 && state.synchronized);
  expect(after?.synchronized).toBe(true);
  expect(listener.links).toBe(2);
});

/** Resolves with the first line from index `from` on that matches `pattern`, waiting turn by turn for it. */
async function waitForLine(lines: readonly string[], from: number, pattern: RegExp): Promise<string> {
  for (;;) {
    const line = lines.slice(from).find((candidate) => pattern.test(candidate));
    if (line !== undefined) return line;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
