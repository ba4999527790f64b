import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChoreographyError, CodecError, SessionFault, TransportError } from "../../lib/choreography/errors.js";
import { FLAG_COMPRESSED, FLAG_RESET } from "../../bindings/frame-header.js";
import { createSessionMux } from "../../bindings/session-mux.js";
import { deflatePayload, resolveCompression } from "../../bindings/compression.js";
import { ScriptedCarrier } from "./scripted-carrier.js";
import { type TestFrame, message } from "./frames.js";

const rejections: unknown[] = [];
const onRejection = (reason: unknown) => rejections.push(reason);
beforeAll(() => {
  process.on("unhandledRejection", onRejection);
});
afterAll(() => {
  process.off("unhandledRejection", onRejection);
});

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

describe("session mux fuzz", () => {
  it("ends every random or mutated input in delivered messages, typed errors and closed sessions", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(inboundMessage, { minLength: 1, maxLength: 8 }), async (messages) => {
        const carrier = new ScriptedCarrier();
        const mux = createSessionMux(carrier, { limits: { maxInflatedBytes: 4096, maxFrameBytes: 2048 } });
        const outcomes = OPEN_SESSIONS.map((session) => {
          const outcome = { closes: 0, error: undefined as Error | undefined };
          mux.open(session).attach({
            receive: (lane, label) => {
              expect(outcome.closes).toBe(0);
              expect(Number.isInteger(lane) && Number.isInteger(label)).toBe(true);
            },
            close: (error) => {
              outcome.closes++;
              outcome.error = error;
            },
          });
          return outcome;
        });
        let muxError: Error | undefined;
        mux.onClose((error) => {
          muxError = error;
        });
        for (const bytes of messages) expect(() => carrier.deliver(bytes)).not.toThrow();
        await new Promise<void>((resolve) => setTimeout(resolve, 0));
        for (const outcome of outcomes) {
          expect(outcome.closes).toBeLessThanOrEqual(1);
          if (outcome.error !== undefined) {
            expect(outcome.error).toBeInstanceOf(ChoreographyError);
            expect([CodecError, SessionFault, TransportError].some((type) => outcome.error instanceof type)).toBe(true);
          }
        }
        if (mux.closed) {
          expect(muxError).toBeInstanceOf(ChoreographyError);
          expect(carrier.state).toBe("closed");
          for (const outcome of outcomes) expect(outcome.closes).toBe(1);
        } else {
          expect(carrier.state).toBe("open");
          mux.close();
        }
      }),
      { numRuns: 400, seed: 20261121 },
    );
    expect(rejections).toEqual([]);
  });

  it("keeps unaffected sessions working while one session receives garbage", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.boolean(), (garbage, compressed) => {
        const carrier = new ScriptedCarrier();
        const mux = createSessionMux(carrier);
        const received: unknown[] = [];
        let victimError: Error | undefined;
        mux.open(1).attach({ receive: () => {}, close: (error) => (victimError = error) });
        mux.open(2).attach({ receive: (_lane, _label, payload) => received.push(payload), close: () => {} });
        carrier.deliver(
          message(
            { session: 1, flags: compressed ? FLAG_COMPRESSED : 0, payload: garbage },
            { session: 2, payload: "42" },
          ),
        );
        expect(mux.closed).toBe(false);
        expect(received).toEqual([42]);
        if (victimError !== undefined) expect(victimError).toBeInstanceOf(CodecError);
        mux.close();
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});
