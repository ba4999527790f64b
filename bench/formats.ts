/**
 * Formats: bytes on the wire per update for a 1 KB object of fields, three of which change per update,
 * encoded with the MessagePack codec of examples/msgpack-codec.ts against the same object as JSON, in
 * the same run. JSON travels as JSON Patch; the codec's bytes travel whole (compressed when that pays)
 * when it has no diff/patch pair (what choosing an opaque format costs per update), and as its diff of
 * the fields that changed when it has one and both nodes know it.
 */
import { msgpackCodec } from "../examples/msgpack-codec.js";
import { LocalNode, type Codec } from "../lib/index.js";
import { link, settle } from "../test/sync/tree-fixture.js";
import { bytesDown } from "./support/bytes-down.js";
import type { BenchResult, BenchScenario } from "./result.js";

type Fields = Record<string, string | number | boolean>;

/** About 1 KB of JSON: 30 fields of strings, numbers and booleans. */
function fieldsObject(): Fields {
  const fields: Fields = {};
  for (let i = 0; JSON.stringify(fields).length < 1000; i++) {
    fields[`field_${i}`] = i % 3 === 0 ? `value-${(i * 7919) % 10_000}-${"x".repeat(i % 7)}` : i % 3 === 1 ? (i * 37) % 1000 : i % 2 === 0;
  }
  return fields;
}

/** `fields` with three fields changed (update `n`). */
function changeThree(fields: Fields, n: number): Fields {
  const keys = Object.keys(fields);
  const next = { ...fields };
  for (let k = 0; k < 3; k++) {
    const key = keys[(n * 3 + k * 11) % keys.length]!;
    const value = next[key]!;
    next[key] = typeof value === "number" ? value + 1 : typeof value === "boolean" ? !value : `${value.slice(0, 12)}-${n}`;
  }
  return next;
}

const UPDATES = 300;

/**
 * Bytes per update down one link to one observer, for `UPDATES` three-field changes of `start`, as JSON
 * or, given `codec`, in it (which both nodes also know from their `codecs` option).
 */
async function bytesPerUpdate(start: Fields, codec?: Codec<Fields>): Promise<number> {
  const codecs = codec === undefined ? [] : [codec as Codec<unknown>];
  const root = new LocalNode({ name: "root", codecs });
  const leaf = new LocalNode({ name: "leaf", codecs });
  const wire = link(root, leaf);
  const exposer = codec === undefined ? root.object([], "fields").expose<Fields>() : root.object([], "fields").expose({ codec });
  const observer = codec === undefined ? leaf.object([], "fields").observe<Fields>() : leaf.object([], "fields").observe({ codec });
  let data = start;
  exposer.set(data);
  await settle(40);
  const before = bytesDown(wire);
  for (let n = 0; n < UPDATES; n++) {
    data = changeThree(data, n);
    exposer.set(data);
    await settle(2);
  }
  await settle(40);
  const perUpdate = (bytesDown(wire) - before) / UPDATES;
  if (JSON.stringify(observer.data) !== JSON.stringify(data)) throw new Error("the observer did not converge");
  await wire.close();
  await leaf.close();
  await root.close();
  return perUpdate;
}

const scenario: BenchScenario = {
  name: "formats (1 KB object, three fields per update: MessagePack codec, whole and with diff/patch, vs JSON)",
  async run(progress) {
    const start = fieldsObject();
    const codec = msgpackCodec<Fields>();
    const { diff: _diff, patch: _patch, ...whole } = codec;

    progress("as JSON (JSON Patch)");
    const json = await bytesPerUpdate(start);
    progress("with the MessagePack codec without diff/patch (whole states)");
    const msgpack = await bytesPerUpdate(start, whole);
    progress("with the MessagePack codec's diff/patch");
    const diffed = await bytesPerUpdate(start, codec);

    const jsonLength = JSON.stringify(start).length;
    const encodedLength = codec.encode(start).length;
    const results: BenchResult[] = [
      {
        name: "formats/bytes per update, MessagePack codec with diff/patch",
        value: diffed,
        unit: "B",
        baseline: { name: "the same object as JSON", value: json },
        ratio: json / diffed,
        goal: "informational: the codec's diff of the fields that changed",
        notes: `the object is ${jsonLength} B of JSON text, ${encodedLength} B as MessagePack; frame and ack overhead included`,
      },
      {
        name: "formats/bytes per update, MessagePack codec with diff/patch vs whole states",
        value: diffed,
        unit: "B",
        baseline: { name: "the codec without diff/patch", value: msgpack },
        ratio: msgpack / diffed,
        goal: "informational: what the pair saves",
      },
      {
        name: "formats/bytes per update, MessagePack codec",
        value: msgpack,
        unit: "B",
        baseline: { name: "the same object as JSON", value: json },
        ratio: json / msgpack,
        goal: "informational: opaque states without diff/patch go whole",
      },
      {
        name: "formats/bytes per update, MessagePack codec vs the whole object as MessagePack",
        value: msgpack,
        unit: "B",
        baseline: { name: "the encoded object", value: encodedLength },
        ratio: encodedLength / msgpack,
        goal: "informational: compression and overhead",
      },
    ];
    return results;
  },
};
export default scenario;
