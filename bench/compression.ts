/**
 * Payload compression in the bindings layer: for realistic JSON states (arrays of records with repeated
 * keys, numbers and strings) of about 1 KB, 64 KB and 1 MB, the throughput of deflating (send side)
 * and of bounded inflating (receive side, inflate-bomb guard included) with the default settings,
 * each against plain JSON encoding (TextEncoder of JSON.stringify) of the same payload in the same
 * run, and the wire size against the uncompressed encoding.
 */
import { DEFAULT_BINDING_LIMITS } from "../bindings/limits.js";
import { DEFAULT_COMPRESSION, deflatePayload, inflatePayload } from "../bindings/compression.js";
import type { BenchResult, BenchScenario } from "./result.js";
import { type RateOptions, bestRates } from "./support/interleaved-rates.js";

const SIZES: ReadonlyArray<readonly [string, number]> = [
  ["1KB", 1024],
  ["64KB", 64 * 1024],
  ["1MB", 1024 * 1024],
];
/** Rounds of 300 ms, five of each side. */
const ROUNDS: RateOptions = { roundMs: 300, rounds: 5 };
const NAMES = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy"];
const CITIES = ["Kraków", "Lisboa", "Osaka", "Toronto", "Nairobi", "Quito"];
const encoder = new TextEncoder();

/** Deterministic records until their JSON reaches `bytes`. */
function payload(bytes: number): unknown[] {
  let state = 12345;
  const next = (): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 4294967296;
  };
  const records: unknown[] = [];
  let size = 2;
  while (size < bytes) {
    const id = records.length;
    const record = {
      id,
      name: `${NAMES[Math.floor(next() * NAMES.length)]}-${Math.floor(next() * 10000)}`,
      city: CITIES[Math.floor(next() * CITIES.length)],
      active: next() < 0.5,
      score: Math.round(next() * 1e6) / 100,
      visits: Math.floor(next() * 5000),
      updatedAt: new Date(1_700_000_000_000 + Math.floor(next() * 1e10)).toISOString(),
      tags: ["news", "sport", "tech", "music"].filter(() => next() < 0.5),
    };
    records.push(record);
    size += JSON.stringify(record).length + 1;
  }
  return records;
}

const scenario: BenchScenario = {
  name: "compression",
  async run(progress) {
    const results: BenchResult[] = [];
    const always = { threshold: 0, level: DEFAULT_COMPRESSION.level };
    for (const [label, target] of SIZES) {
      const value = payload(target);
      const raw = encoder.encode(JSON.stringify(value));
      const compressed = deflatePayload(raw, always);
      if (compressed === undefined) throw new Error(`The ${label} payload did not compress; the scenario is broken.`);
      const encode = () => encoder.encode(JSON.stringify(value)).length;
      const settings = `level ${DEFAULT_COMPRESSION.level}, ${raw.length}-byte JSON`;

      progress(`compression: deflate ${label}`);
      const [deflateRate, encodeRate] = bestRates(raw.length, () => deflatePayload(raw, always)?.length ?? 0, encode, ROUNDS);
      results.push({
        name: `compression/deflate ${label}`,
        value: deflateRate,
        unit: "MB/s",
        baseline: { name: "JSON encode", value: encodeRate },
        ratio: deflateRate / encodeRate,
        notes: `${settings}; ratio < 1: compressing costs more than encoding (paid once per state, then fanned out)`,
      });

      progress(`compression: inflate ${label}`);
      const [inflateRate, encodeRate2] = bestRates(
        raw.length,
        () => inflatePayload(compressed, DEFAULT_BINDING_LIMITS.maxInflatedBytes).length,
        encode,
        ROUNDS,
      );
      results.push({
        name: `compression/inflate ${label}`,
        value: inflateRate,
        unit: "MB/s",
        baseline: { name: "JSON encode", value: encodeRate2 },
        ratio: inflateRate / encodeRate2,
        notes: `${settings}; exact inflate (to the declared size, refused past it), MB of output`,
      });

      results.push({
        name: `compression/wire size ${label}`,
        value: compressed.length,
        unit: "B",
        baseline: { name: "uncompressed JSON", value: raw.length },
        ratio: raw.length / compressed.length,
        notes: `${settings}; ratio = uncompressed / compressed`,
      });
    }
    return results;
  },
};

export default scenario;
