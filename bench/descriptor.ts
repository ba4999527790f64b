/**
 * Descriptor construction cost: how many ObjectDescriptors per second can be built (validated,
 * canonicalized, privately copied and frozen) from a ~100-byte JSON input with two tags, against
 * plain JSON.stringify of the same input measured in the same run; also the untrusted wire path
 * (ObjectDescriptor.fromJSON) against JSON.parse of the same wire text; and assertJsonValue on object
 * data against JSON.stringify of it.
 */
import { canonicalJson } from "../lib/descriptor/canonical-json.js";
import { assertJsonValue } from "../lib/descriptor/json-value.js";
import type { JsonValue } from "../lib/descriptor/json-value.js";
import { ObjectDescriptor } from "../lib/descriptor/object-descriptor.js";
import type { BenchResult, BenchScenario } from "./result.js";

const TAGS: JsonValue[] = [{ type: "chat-message" }, { room: "lobby" }];
const JSON_VALUE: JsonValue = { room: "lobby", id: 123456, author: { name: "alice", id: 42 }, flags: [true, false] };
const INPUT = { tags: TAGS, json: JSON_VALUE };
const WIRE_TEXT = JSON.stringify(INPUT);
/** Object data of about 750 characters, for the validation exposers run on every `set`. */
const DATA: JsonValue = {
  users: Array.from({ length: 10 }, (_, i) => ({ id: i, name: `user${i}`, email: `u${i}@example.com`, active: i % 2 === 0, score: i * 1.5 })),
};
const DATA_LIMITS = { maxDepth: 64, maxLength: 64 * 1024 * 1024 };

/** Time per round; each case runs several rounds interleaved with its baseline and keeps the best. */
const ROUND_MS = 400;
const ROUNDS = 5;

let sink = 0;

/** Operations per second of `operation`, best of the rounds it gets. */
function rate(operation: () => number): number {
  const start = performance.now();
  let count = 0;
  let elapsed = 0;
  do {
    for (let i = 0; i < 1000; i++) sink += operation();
    count += 1000;
    elapsed = performance.now() - start;
  } while (elapsed < ROUND_MS);
  return (count / elapsed) * 1000;
}

function compare(name: string, value: () => number, baselineName: string, baseline: () => number, notes: string): BenchResult {
  let best = 0;
  let bestBaseline = 0;
  rate(value);
  rate(baseline);
  for (let round = 0; round < ROUNDS; round++) {
    best = Math.max(best, rate(value));
    bestBaseline = Math.max(bestBaseline, rate(baseline));
  }
  return {
    name,
    value: Math.round(best),
    unit: "ops/s",
    baseline: { name: baselineName, value: Math.round(bestBaseline) },
    ratio: best / bestBaseline,
    notes,
  };
}

const scenario: BenchScenario = {
  name: "descriptor",
  async run(progress) {
    const results: BenchResult[] = [];
    const size = new ObjectDescriptor(TAGS, JSON_VALUE).key.length;
    progress(`descriptor: construct (${size}-character key)`);
    results.push(
      compare(
        "descriptor/construct",
        () => new ObjectDescriptor(TAGS, JSON_VALUE).key.length,
        "JSON.stringify",
        () => JSON.stringify(INPUT).length,
        `${size}-character key, 2 tags: validate, canonicalize, deep-frozen copy`,
      ),
    );
    progress("descriptor: fromJSON");
    results.push(
      compare(
        "descriptor/fromJSON",
        () => ObjectDescriptor.fromJSON(JSON.parse(WIRE_TEXT)).key.length,
        "JSON.parse",
        () => (JSON.parse(WIRE_TEXT) as { tags: unknown[] }).tags.length,
        "untrusted wire text to descriptor, parse included",
      ),
    );
    progress("descriptor: canonicalJson");
    results.push(
      compare(
        "descriptor/canonicalJson",
        () => canonicalJson(INPUT).length,
        "JSON.stringify",
        () => JSON.stringify(INPUT).length,
        "trusted value, no validation",
      ),
    );
    progress("descriptor: assertJsonValue on data");
    results.push(
      compare(
        "descriptor/assertJsonValue-data",
        () => {
          assertJsonValue(DATA, DATA_LIMITS);
          return 1;
        },
        "JSON.stringify",
        () => JSON.stringify(DATA).length,
        `${JSON.stringify(DATA).length}-character data: full validation with canonical length, no text built`,
      ),
    );
    if (sink === -1) progress("unreachable");
    return results;
  },
};

export default scenario;
