import { CodecError } from "../lib/choreography/errors.js";
import { tooDeepAt } from "./json-depth.js";
import { type BindingLimits, DEFAULT_BINDING_LIMITS } from "./limits.js";
import type { PayloadCodec } from "./payload-codec.js";
import { TextSlab } from "./text-slab.js";

const slab = new TextSlab();
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const EMPTY = new Uint8Array(0);

/**
 * The default payload codec: UTF-8 JSON. `undefined` (a message without payload) travels as zero
 * bytes. Values JSON cannot represent (BigInt, cycles) and undecodable bytes (invalid UTF-8, bad JSON,
 * nesting deeper than `limits.maxJsonDepth`, refused before parsing) raise a CodecError.
 */
export const jsonCodec: PayloadCodec = Object.freeze({
  name: "json",
  encode(value: unknown): Uint8Array {
    let text: string | undefined;
    try {
      text = JSON.stringify(value);
    } catch (error) {
      throw new CodecError(`Cannot encode payload as JSON: ${describe(error)}. Send plain JSON data only.`, {
        cause: error,
      });
    }
    return text === undefined ? EMPTY : slab.encode(text);
  },
  decode(bytes: Uint8Array, limits: BindingLimits = DEFAULT_BINDING_LIMITS): unknown {
    if (bytes.length === 0) return undefined;
    const tooDeep = tooDeepAt(bytes, limits.maxJsonDepth);
    if (tooDeep >= 0) {
      throw new CodecError(
        `A ${bytes.length}-byte JSON payload nests arrays and objects deeper than maxJsonDepth (${limits.maxJsonDepth}) ` +
          `at byte ${tooDeep}; refused before parsing. Raise limits.maxJsonDepth on this side if such payloads are legitimate.`,
      );
    }
    try {
      return JSON.parse(decoder.decode(bytes));
    } catch (error) {
      throw new CodecError(`Cannot decode a ${bytes.length}-byte payload as UTF-8 JSON: ${describe(error)}.`, {
        cause: error,
      });
    }
  },
});

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
