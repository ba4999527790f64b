import { describe, expect, it } from "vitest";
import { SHAPES, STRING_FIELDS, fieldsDocument, nextFieldsDocument } from "../../bench/support/bench-document.js";
import { applyPatch } from "../../lib/sync/json-patch/index.js";

describe("the fields workload", () => {
  it("is ~1 KB: seq, t and STRING_FIELDS fields of 36-character strings", () => {
    const document = fieldsDocument();
    const strings = Object.values(document).filter((value) => typeof value === "string");
    expect(strings).toHaveLength(STRING_FIELDS);
    for (const text of strings) expect(text).toHaveLength(36);
    expect(Object.keys(document)).toHaveLength(STRING_FIELDS + 2);
    expect(JSON.stringify(document).length).toBeGreaterThan(900);
    expect(JSON.stringify(document).length).toBeLessThan(1100);
  });

  it("an update bumps seq, sets t and changes one string field, and its patch makes the same document", () => {
    let document = fieldsDocument();
    for (let k = 1; k <= 45; k++) {
      const at = 1765100000000.25 + k;
      const next = nextFieldsDocument(document, k, at);
      const changed = Object.keys(next.document).filter((key) => next.document[key] !== document[key]);
      expect(changed.sort()).toEqual(["seq", "t", expect.stringMatching(/^field\d+$/)].sort());
      expect(next.document.seq).toBe(k);
      expect(next.document.t).toBe(at);
      expect(applyPatch(document, next.patch)).toEqual(next.document);
      document = next.document;
    }
  });

  it("both sides read an update's stamp: hakuban from the document, the floor from the patch", () => {
    const { document, patch } = SHAPES.fields.next(fieldsDocument(), 7, 1234.5);
    expect(SHAPES.fields.stampOf(document, 7)).toBe(1234.5);
    expect(SHAPES.fields.stampOfPatch(patch)).toBe(1234.5);
    expect(SHAPES.fields.stampOf(SHAPES.fields.initial(1024), 0)).toBe(0);
  });
});

describe("the table workload", () => {
  it("stamps row k mod rows, read alike from the document and from the patch", () => {
    const initial = SHAPES.table.initial(1024);
    const { document, patch } = SHAPES.table.next(initial, 5, 99.5);
    expect(applyPatch(initial, patch)).toEqual(document);
    expect(SHAPES.table.stampOf(document, 5)).toBe(99.5);
    expect(SHAPES.table.stampOfPatch(patch)).toBe(99.5);
  });
});
