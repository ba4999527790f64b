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

/** What a consumer saw; it checks on every call that nothing comes after `closed`. */
interface Outcome {
  readonly received: Array<[number, unknown]>;
  readonly ended: Array<[number, Error | undefined]>;
  closes: number;
  error: Error | undefined;
}

/**
 * Attaches a consumer that accepts frames of `known` sessions only (it throws a SessionFault for
 * others) and decodes what it accepts, as the runtime does.
 */
function consume(mux: SessionMux, known: readonly number[]): Outcome {
  const outcome: Outcome = { received: [], ended: [], closes: 0, error: undefined };
  mux.attach({
    receive: (session, lane, label, payload) => {
      expect(outcome.closes).toBe(0);
      expect(Number.isInteger(lane) && Number.isInteger(label) && lane >= 0 && label >= 0).toBe(true);
      if (!known.includes(session)) throw new SessionFault(`session ${session} was never announced`);
      outcome.received.push([session, payload.decode()]);
    },
    sessionEnded: (session, error) => {
      expect(outcome.closes).toBe(0);
      outcome.ended.push([session, error]);
    },
    closed: (error) => {
      outcome.closes++;
      outcome.error = error;
    },
  });
  return outcome;
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
        for (const [session, error] of outcome.ended) {
          if (error === undefined) continue;
          expect(error).toBeInstanceOf(SessionFault);
          expect(error.message.startsWith(`peer closed session ${session}: `)).toBe(true);
        }
        if (mux.closed) {
          expect(outcome.closes).toBe(1);
          expect(outcome.error).toBeInstanceOf(ChoreographyError);
          expect(muxError).toBe(outcome.error);
          expect(carrier.state).toBe("closed");
        } else {
          expect(outcome.closes).toBe(0);
          expect(carrier.state).toBe("open");
          mux.close();
          expect(outcome.closes).toBe(1);
          expect(outcome.error).toBeUndefined();
        }
        expect(carrier.sent).toEqual([]); // the mux never answers on its own: what it cannot read closes the connection
      }),
      { numRuns: 400, seed: 20261121 },
    );
    expect(rejections).toEqual([]);
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
        if (mux.closed) {
          refused++;
          expect(outcome.error).toBeInstanceOf(CodecError);
          expect(outcome.error?.message).toMatch(/^Frame on session 1: /);
          expect(outcome.received).toEqual([]);
          expect(mux.stats.framesIn).toBe(1);
        } else {
          expect(outcome.received.at(-1)).toEqual([2, 42]);
          mux.close();
        }
        expect(carrier.sent).toEqual([]);
      }),
      { numRuns: 300, seed: 7 },
    );
    expect(refused).toBeGreaterThan(250);
  });
});
