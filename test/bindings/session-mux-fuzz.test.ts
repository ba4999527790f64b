import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { collectUnhandledRejections } from "../unhandled-rejections.js";
import { ChoreographyError, CodecError, SessionFault } from "../../lib/choreography/errors.js";
import type { SessionMux } from "../../lib/choreography/wire.js";
import { FLAG_COMPRESSED, FLAG_RESET } from "../../bindings/frame-header.js";
import { createSessionMux } from "../../bindings/session-mux.js";
import { deflatePayload, resolveCompression } from "../../bindings/compression.js";
import { ScriptedCarrier } from "./scripted-carrier.js";
import { type TestFrame, message } from "./frames.js";

const rejections = collectUnhandledRejections();

/** The sessions the fuzzed consumer knows; a frame for any other is a violation it refuses, as the runtime does. */
const OPEN_SESSIONS = [0, 1, 2, 3];
const compressAll = resolveCompression({ threshold: 0 });

/** Well-formed frames a real peer might send: JSON, compressed JSON, resets, for open sessions. */
const validFrame: fc.Arbitrary<TestFrame> = fc.oneof(
  fc.record({
    session: fc.constantFrom(...OPEN_SESSIONS),
    lane: fc.nat(3),
    label: fc.nat(20),
    payload: fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
  }),
  fc.record({ session: fc.constantFrom(...OPEN_SESSIONS), payload: fc.string({ maxLength: 300 }) }).map((frame) => {
    const raw = new TextEncoder().encode(JSON.stringify(frame.payload.repeat(5)));
    const compressed = deflatePayload(raw, compressAll);
    return compressed === undefined
      ? { session: frame.session, payload: raw }
      : { session: frame.session, flags: FLAG_COMPRESSED, payload: compressed };
  }),
  fc.record({ session: fc.constantFrom(...OPEN_SESSIONS), flags: fc.constant(FLAG_RESET), payload: fc.string({ maxLength: 20 }) }),
);

interface Mutation {
  readonly kind: "flip" | "set" | "truncate" | "insert";
  readonly at: number;
  readonly value: number;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom("flip", "set", "truncate", "insert"),
  at: fc.nat(),
  value: fc.nat(255),
});

function mutate(bytes: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let out = bytes;
  for (const { kind, at, value } of mutations) {
    if (out.length === 0) break;
    const index = at % out.length;
    if (kind === "truncate") out = out.slice(0, index);
    else if (kind === "insert") out = Uint8Array.from([...out.subarray(0, index), value, ...out.subarray(index)]);
    else {
      out = out.slice();
      out[index] = kind === "flip" ? (out[index] as number) ^ (1 << (value & 7)) : value;
    }
  }
  return out;
}

/** A batch as received: well-formed, mutated, or random bytes. */
const inboundMessage: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.array(validFrame, { minLength: 1, maxLength: 6 }).map((frames) => message(...frames)),
  fc
    .tuple(fc.array(validFrame, { minLength: 1, maxLength: 6 }), fc.array(mutation, { minLength: 1, maxLength: 4 }))
    .map(([frames, mutations]) => mutate(message(...frames), mutations)),
  fc.uint8Array({ maxLength: 80 }),
);

/** One call the mux made on its consumer, in order. */
type Call =
  | { readonly kind: "receive"; readonly session: number; readonly lane: number; readonly label: number; readonly payload: unknown }
  | { readonly kind: "sessionEnded"; readonly session: number; readonly error: unknown }
  | { readonly kind: "closed"; readonly error: unknown };

/**
 * What a consumer saw. The callbacks only record: the mux turns an exception in `receive` or
 * `sessionEnded` into a closed connection, so an assertion made inside them could not fail the test.
 */
interface Outcome {
  readonly calls: Call[];
  /** Payloads the consumer tried to decode and could not (the error is rethrown to the mux, as the runtime does). */
  readonly undecodable: unknown[];
}

/**
 * Attaches a consumer that accepts frames of `known` sessions only (it throws a SessionFault for
 * others) and decodes what it accepts, as the runtime does.
 */
function consume(mux: SessionMux, known: readonly number[]): Outcome {
  const outcome: Outcome = { calls: [], undecodable: [] };
  mux.attach({
    receive: (session, lane, label, payload) => {
      if (!known.includes(session)) {
        outcome.calls.push({ kind: "receive", session, lane, label, payload: "refused" });
        throw new SessionFault(`session ${session} was never announced`);
      }
      let value: unknown;
      try {
        value = payload.decode();
      } catch (error) {
        outcome.undecodable.push(error);
        throw error;
      }
      outcome.calls.push({ kind: "receive", session, lane, label, payload: value });
    },
    sessionEnded: (session, error) => {
      outcome.calls.push({ kind: "sessionEnded", session, error });
    },
    closed: (error) => {
      outcome.calls.push({ kind: "closed", error });
    },
  });
  return outcome;
}

/** The connection-level rules every run must keep, checked after it: nothing after `closed`, sane ids, the peer's reasons. */
function expectConsistent(outcome: Outcome): void {
  const closedAt = outcome.calls.findIndex((call) => call.kind === "closed");
  if (closedAt >= 0) expect(outcome.calls.slice(closedAt + 1)).toEqual([]);
  for (const call of outcome.calls) {
    if (call.kind === "receive") {
      expect(Number.isInteger(call.lane) && call.lane >= 0, `lane ${call.lane}`).toBe(true);
      expect(Number.isInteger(call.label) && call.label >= 0, `label ${call.label}`).toBe(true);
    } else if (call.kind === "sessionEnded" && call.error !== undefined) {
      expect(call.error).toBeInstanceOf(SessionFault);
      expect((call.error as Error).message.startsWith(`peer closed session ${call.session}: `)).toBe(true);
    }
  }
  for (const error of outcome.undecodable) expect(error).toBeInstanceOf(CodecError);
}

/** The closes a consumer was told of. */
function closes(outcome: Outcome): Array<Extract<Call, { kind: "closed" }>> {
  return outcome.calls.filter((call): call is Extract<Call, { kind: "closed" }> => call.kind === "closed");
}

/** Well-formed, uncompressed frames of open sessions: data with a JSON payload, or a reset with a short reason. */
const plainFrame = fc.oneof(
  fc.record({
    session: fc.constantFrom(...OPEN_SESSIONS),
    lane: fc.nat(3),
    label: fc.nat(20),
    value: fc.jsonValue({ maxDepth: 3 }),
  }),
  fc.record({ session: fc.constantFrom(...OPEN_SESSIONS), reason: fc.string({ maxLength: 20 }) }),
);

/** A call with its error as text, so runs compare with toEqual. */
function comparable(call: Call): unknown {
  if (call.kind === "receive") return call;
  const error = call.error;
  return { ...call, error: error instanceof Error ? `${error.constructor.name}: ${error.message}` : error };
}

describe("session mux fuzz", () => {
  it("ends every random or mutated input in delivered messages, the peer's session ends and at most one close", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(inboundMessage, { minLength: 1, maxLength: 8 }), async (messages) => {
        const carrier = new ScriptedCarrier();
        const mux = createSessionMux(carrier, { limits: { maxInflatedBytes: 4096, maxFrameBytes: 2048 } });
        const outcome = consume(mux, OPEN_SESSIONS);
        let muxError: Error | undefined;
        mux.onClose((error) => {
          muxError = error;
        });
        for (const bytes of messages) expect(() => carrier.deliver(bytes)).not.toThrow();
        await new Promise<void>((resolve) => setTimeout(resolve, 0));
        expectConsistent(outcome);
        if (mux.closed) {
          expect(closes(outcome)).toHaveLength(1);
          expect(closes(outcome)[0]?.error).toBeInstanceOf(ChoreographyError);
          expect(muxError).toBe(closes(outcome)[0]?.error);
          expect(carrier.state).toBe("closed");
        } else {
          expect(closes(outcome)).toEqual([]);
          expect(carrier.state).toBe("open");
          mux.close();
          expect(closes(outcome)).toEqual([{ kind: "closed", error: undefined }]);
        }
        expectConsistent(outcome);
        expect(carrier.sent).toEqual([]); // the mux never answers on its own: what it cannot read closes the connection
      }),
      { numRuns: 400, seed: 20261121 },
    );
    expect(rejections).toEqual([]);
  });

  it("hands over well-formed frames exactly as sent, in order, resets as session ends with the peer's reason", () => {
    fc.assert(
      fc.property(fc.array(fc.array(plainFrame, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 6 }), (batches) => {
        const carrier = new ScriptedCarrier();
        const mux = createSessionMux(carrier);
        const outcome = consume(mux, OPEN_SESSIONS);
        const expected: Call[] = [];
        for (const batch of batches) {
          carrier.deliver(
            message(
              ...batch.map((frame): TestFrame =>
                "reason" in frame
                  ? { session: frame.session, flags: FLAG_RESET, payload: frame.reason }
                  : { session: frame.session, lane: frame.lane, label: frame.label, payload: JSON.stringify(frame.value) },
              ),
            ),
          );
          for (const frame of batch) {
            if ("reason" in frame) {
              const error = frame.reason === "" ? undefined : new SessionFault(`peer closed session ${frame.session}: ${frame.reason}`);
              expected.push({ kind: "sessionEnded", session: frame.session, error });
            } else {
              const payload: unknown = JSON.parse(JSON.stringify(frame.value));
              expected.push({ kind: "receive", session: frame.session, lane: frame.lane, label: frame.label, payload });
            }
          }
        }
        expect(outcome.calls.map(comparable)).toEqual(expected.map(comparable));
        expect(mux.closed).toBe(false);
        expect(mux.stats.messagesIn).toBe(batches.length);
        expect(mux.stats.framesIn).toBe(expected.length);
        mux.close();
      }),
      { numRuns: 200, seed: 4242 },
    );
  });

  it("closes the connection at a payload it cannot read, and reads no frame after it", () => {
    let refused = 0;
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.boolean(), (garbage, compressed) => {
        const carrier = new ScriptedCarrier();
        const mux = createSessionMux(carrier);
        const outcome = consume(mux, [1, 2]);
        carrier.deliver(
          message(
            { session: 1, flags: compressed ? FLAG_COMPRESSED : 0, payload: garbage },
            { session: 2, payload: "42" },
          ),
        );
        expectConsistent(outcome);
        if (mux.closed) {
          refused++;
          const [close] = closes(outcome);
          expect(close?.error).toBeInstanceOf(CodecError);
          expect((close?.error as Error).message).toMatch(/^Frame on session 1: /);
          expect(outcome.calls).toEqual([close]);
          expect(mux.stats.framesIn).toBe(1);
        } else {
          expect(outcome.calls.at(-1)).toEqual({ kind: "receive", session: 2, lane: 0, label: 0, payload: 42 });
          mux.close();
        }
        expect(carrier.sent).toEqual([]);
      }),
      { numRuns: 300, seed: 7 },
    );
    expect(refused).toBeGreaterThan(250);
  });
});
