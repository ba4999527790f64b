/**
 * The JSON payload codec's depth check: decoding realistic states (records with repeated keys, as a
 * peer sends them: `{ v, s, d }` around the data) of about 1 KB and 64 KB with jsonCodec.decode, which
 * scans the bytes for nesting past maxJsonDepth before parsing, against TextDecoder + JSON.parse alone
 * on the same bytes in the same run; and refusing a 1 MB `[[[…]]]` against parsing it.
 */
import { jsonCodec } from "../bindings/json-codec.js";
import { DEFAULT_BINDING_LIMITS } from "../bindings/limits.js";
import { recordsState } from "../test/sync/json-patch/json-fixtures.js";
import type { BenchResult, BenchScenario } from "./result.js";
import { type RateOptions, bestRates } from "./support/interleaved-rates.js";

const SIZES: ReadonlyArray<readonly [string, number]> = [
  ["1KB", 1024],
  ["64KB", 64 * 1024],
];
/** Rounds of 300 ms, seven of each side (the difference measured is small). */
const ROUNDS: RateOptions = { roundMs: 300, rounds: 7 };
const DEEP_BYTES = 1024 * 1024;

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const parseAlone = (bytes: Uint8Array) => (JSON.parse(decoder.decode(bytes)) === null ? 0 : 1);

const scenario: BenchScenario = {
  name: "json-codec",
  async run(progress) {
    const results: BenchResult[] = [];
    for (const [label, target] of SIZES) {
      const bytes = new TextEncoder().encode(JSON.stringify({ v: [1, 7], s: true, d: recordsState(target) }));
      progress(`json-codec: decode ${label}`);
      const [decodeRate, parseRate] = bestRates(
        bytes.length,
        () => (jsonCodec.decode(bytes, DEFAULT_BINDING_LIMITS) === null ? 0 : 1),
        () => parseAlone(bytes),
        ROUNDS,
      );
      results.push({
        name: `json-codec/decode ${label}`,
        value: decodeRate,
        unit: "MB/s",
        baseline: { name: "TextDecoder + JSON.parse", value: parseRate },
        ratio: decodeRate / parseRate,
        goal: "ratio near 1: the depth scan adds little to parsing",
        notes: `${bytes.length}-byte state; the codec scans for nesting past maxJsonDepth (${DEFAULT_BINDING_LIMITS.maxJsonDepth}) before parsing`,
      });
    }

    progress("json-codec: refuse a deep payload");
    const deep = new TextEncoder().encode("[".repeat(DEEP_BYTES / 2) + "]".repeat(DEEP_BYTES / 2));
    const refuse = () => {
      try {
        jsonCodec.decode(deep, DEFAULT_BINDING_LIMITS);
      } catch {
        return 1;
      }
      throw new Error("The deep payload was accepted; the scenario is broken.");
    };
    const [refuseRate, deepParseRate] = bestRates(deep.length, refuse, () => parseAlone(deep), { roundMs: 300, rounds: 3 });
    results.push({
      name: "json-codec/refuse 1MB [[[…]]]",
      value: refuseRate,
      unit: "MB/s",
      baseline: { name: "TextDecoder + JSON.parse", value: deepParseRate },
      ratio: refuseRate / deepParseRate,
      notes: "MB of payload refused per second: the scan stops at the first bracket past the limit, the parser builds every level",
    });
    return results;
  },
};

export default scenario;
