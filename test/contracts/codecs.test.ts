/**
 * Codecs and raw bytes on one node: an exposer's codec encodes at set() (failures throw there), an
 * observer's decodes once per state for the contract (failures go to node.errors$, the state stays
 * bytes), an observer without the codec gets the bytes and the format, and a Uint8Array without a codec
 * goes as it is, format ["bytes"]; codecs with diff and patch make their formats ones the node diffs and
 * patches. Type cases are checked by `tsc --noEmit`.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  BYTES_FORMAT,
  CodecDecodeError,
  CodecEncodeError,
  DataLimitError,
  InvalidCodecError,
  LocalNode,
  ObjectDescriptor,
  type Codec,
  type NodeError,
  type ObjectState,
} from "../../lib/index.js";

const text = new TextEncoder();
const untext = new TextDecoder();

/** Dates as ISO text; counts its decodings, and refuses bytes that are not a date. */
function dateCodec(): Codec<Date> & { decodings: number } {
  return {
    format: "iso-date",
    decodings: 0,
    encode: (date) => text.encode(date.toISOString()),
    decode(bytes) {
      this.decodings++;
      const date = new Date(untext.decode(bytes));
      if (Number.isNaN(date.getTime())) throw new Error(`not a date: ${untext.decode(bytes)}`);
      return date;
    },
  };
}

const nodes: LocalNode[] = [];
function node(options: ConstructorParameters<typeof LocalNode>[0] = {}): LocalNode {
  const made = new LocalNode(options);
  nodes.push(made);
  return made;
}
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((made) => made.close()));
});

function errorsOf(made: LocalNode): NodeError[] {
  const errors: NodeError[] = [];
  made.errors$.subscribe((error) => errors.push(error));
  return errors;
}

// ---- types (checked by tsc) --------------------------------------------------------------------------
function typeCases(made: LocalNode): void {
  const codec = dateCodec();
  const object = made.object([], "types");
  const exposeDate = object.expose({ codec }); // T inferred from the codec
  exposeDate.set(new Date());
  // @ts-expect-error a codec of dates encodes dates only
  exposeDate.set("2026-01-01");
  const observeDate = object.observe({ codec });
  const seen: Date | Uint8Array | undefined = observeDate.data;
  void seen;
  made.tag("types").expose<Date>({ codec, capacity: 2 }).set(new ObjectDescriptor(["types"], 1), new Date());
  made.tag("types").observe<Date>({ codec });
  object.expose<Uint8Array>().set(Uint8Array.of(1));
  const bytes: Uint8Array | undefined = object.observe<Uint8Array>().data;
  void bytes;
  // @ts-expect-error without a codec, data must be JSON (or bytes)
  object.expose<Date>();
  // @ts-expect-error without a codec, data must be JSON (or bytes)
  object.observe<Map<string, number>>();
}
void typeCases;

describe("an exposer with a codec", () => {
  it("publishes the encoding with format [codec.format]; an observer with the codec gets the value", () => {
    const here = node();
    const codec = dateCodec();
    const at = new Date("2026-12-07T10:00:00.000Z");
    here.object([], "clock").expose({ codec }).set(at);
    const observer = here.object([], "clock").observe({ codec });
    expect(observer.state?.format).toEqual(["iso-date"]);
    expect(observer.data).toBeInstanceOf(Date);
    expect((observer.data as Date).toISOString()).toBe(at.toISOString());
  });

  it("an observer without the codec gets the bytes and the format, to decode them itself", () => {
    const here = node();
    here.object([], "clock").expose({ codec: dateCodec() }).set(new Date("2026-12-07T10:00:00.000Z"));
    const state = here.object([], "clock").observe().state as ObjectState<unknown> | undefined;
    expect(state?.format).toEqual(["iso-date"]);
    expect(state?.data).toBeInstanceOf(Uint8Array);
    expect(untext.decode(state?.data as Uint8Array)).toBe("2026-12-07T10:00:00.000Z");
  });

  it("set() throws CodecEncodeError when encode throws or returns something else than bytes, and keeps the previous value", () => {
    const here = node();
    let mode: "ok" | "throw" | "string" = "ok";
    const codec: Codec<number> = {
      format: "moody",
      encode(value) {
        if (mode === "throw") throw new Error("cannot today");
        return (mode === "string" ? String(value) : Uint8Array.of(value)) as Uint8Array;
      },
      decode: (bytes) => bytes[0]!,
    };
    const exposer = here.object([], "n").expose({ codec });
    const observer = here.object([], "n").observe({ codec });
    expect(exposer.set(1)).toBe(true);
    mode = "throw";
    const thrown = catching(() => exposer.set(2));
    expect(thrown).toBeInstanceOf(CodecEncodeError);
    expect(thrown).toMatchObject({ code: "CODEC_ENCODE", format: "moody" });
    expect((thrown as Error).message).toMatch(/encode threw cannot today/);
    expect((thrown as Error).cause).toBeInstanceOf(Error);
    mode = "string";
    expect(catching(() => exposer.set(3))).toMatchObject({ code: "CODEC_ENCODE", message: expect.stringMatching(/encode returned string, not a Uint8Array/) });
    expect(observer.data).toBe(1);
    const tagged = here.tag("t").expose({ codec });
    expect(catching(() => tagged.set(new ObjectDescriptor(["t"], 1), 4))).toBeInstanceOf(CodecEncodeError); // even when not kept
  });

  it("bytes over the node's data limit are refused with DataLimitError", () => {
    const here = node({ dataLimits: { maxLength: 8 } });
    const exposer = here.object([], "big").expose<Uint8Array>();
    expect(exposer.set(new Uint8Array(8))).toBe(true);
    expect(catching(() => exposer.set(new Uint8Array(9)))).toMatchObject({ code: "DATA_LIMIT", length: 9, maxLength: 8 });
    const encoding = here.object([], "big").expose({ codec: { format: "pad", encode: (n: number) => new Uint8Array(n), decode: (b) => b.length } });
    expect(catching(() => encoding.set(100))).toBeInstanceOf(DataLimitError);
  });
});

describe("an observer with a codec", () => {
  it("decodes each state once for the contract, whatever its subscribers and reads, and reuses it across a flag change", () => {
    const here = node();
    const codec = dateCodec();
    const exposer = here.object([], "clock").expose({ codec });
    const observer = here.object([], "clock").observe({ codec });
    const seen: (Date | undefined)[][] = [[], [], []];
    for (const list of seen) observer.state$.subscribe((state) => list.push(state?.data as Date | undefined));
    observer.onChange(() => {});
    exposer.set(new Date(1000));
    exposer.set(new Date(2000));
    for (let i = 0; i < 5; i++) void observer.state;
    expect(codec.decodings).toBe(2);
    expect(seen.map((list) => list.map((date) => date?.getTime()))).toEqual([
      [undefined, 1000, 2000],
      [undefined, 1000, 2000],
      [undefined, 1000, 2000],
    ]);
    expect(seen[0]![2]).toBe(seen[1]![2]); // one decoded value, shared
    expect(observer.state).toBe(observer.state);
    exposer.desynchronize();
    expect(observer.state?.synchronized).toBe(false);
    expect((observer.data as Date).getTime()).toBe(2000);
    expect(codec.decodings).toBe(2);
  });

  it("reports a decoding failure to node.errors$ once, and hands out that state with its bytes", async () => {
    const here = node();
    const errors = errorsOf(here);
    const liar: Codec<string> = { format: "iso-date", encode: (s) => text.encode(s), decode: untext.decode.bind(untext) };
    const codec = dateCodec();
    here.object([], "clock").expose({ codec: liar }).set("not a date");
    const observer = here.object([], "clock").observe({ codec });
    const seen: unknown[] = [];
    observer.state$.subscribe((state) => seen.push(state?.data));
    void observer.state;
    await Promise.resolve();
    expect(seen[0]).toBeInstanceOf(Uint8Array);
    expect(observer.state?.format).toEqual(["iso-date"]);
    expect(untext.decode(observer.data as unknown as Uint8Array)).toBe("not a date");
    expect(errors).toHaveLength(1);
    expect(errors[0]!.error).toBeInstanceOf(CodecDecodeError);
    expect(errors[0]!.error).toMatchObject({ code: "CODEC_DECODE", format: "iso-date" });
    expect((errors[0]!.error as Error).message).toMatch(/Object .*"clock".*codec "iso-date" could not decode a state \(not a date: not a date\)/);
    expect(codec.decodings).toBe(1);
  });

  it("gets states of another format as they are: JSON as JSON, bytes as bytes", () => {
    const here = node();
    const codec = dateCodec();
    here.object([], "json").expose().set({ a: 1 });
    here.object([], "raw").expose().set(Uint8Array.of(7));
    expect(here.object([], "json").observe({ codec }).data).toEqual({ a: 1 });
    expect(here.object([], "raw").observe({ codec }).data).toEqual(Uint8Array.of(7));
    expect(codec.decodings).toBe(0);
  });

  it("tag observers decode too: changes, the objects map, one decoding per state", () => {
    const here = node();
    const codec = dateCodec();
    const exposer = here.tag("clocks").expose({ codec });
    const observer = here.tag("clocks").observe({ codec });
    const changes: number[] = [];
    observer.onChange((change) => changes.push((change.state?.data as Date).getTime()));
    const a = new ObjectDescriptor(["clocks"], "a");
    here.object(a).observe();
    exposer.set(a, new Date(5000));
    expect(changes).toEqual([5000]);
    expect([...observer.objects.values()].map((object) => (object.state?.data as Date).getTime())).toEqual([5000]);
    const replayed: unknown[] = [];
    observer.changes$.subscribe((change) => replayed.push(change.state?.data));
    expect(replayed).toEqual([new Date(5000)]);
    expect(codec.decodings).toBe(1);
  });
});

describe("bytes without a codec", () => {
  it("go as they are, format [\"bytes\"], the same Uint8Array to observers", () => {
    const here = node();
    const bytes = Uint8Array.of(1, 2, 3);
    here.object([], "raw").expose().set(bytes);
    const state = here.object([], "raw").observe<Uint8Array>().state;
    expect(state?.format).toEqual(BYTES_FORMAT);
    expect(state?.data).toBe(bytes);
  });
});

describe("a codec that is not one", () => {
  it("is refused when the contract is made, with InvalidCodecError", () => {
    const here = node();
    const object = here.object([], "x");
    const good = dateCodec();
    expect(catching(() => object.expose({ codec: { ...good, format: "JSON" } }))).toMatchObject({ code: "INVALID_CODEC", message: expect.stringMatching(/must not be "JSON"/) });
    expect(catching(() => object.observe({ codec: { ...good, format: "" } }))).toBeInstanceOf(InvalidCodecError);
    expect(catching(() => object.observe({ codec: { ...good, format: "x".repeat(65) } }))).toBeInstanceOf(InvalidCodecError);
    expect(catching(() => here.tag("t").observe({ codec: { format: "f", encode: good.encode } as unknown as Codec<Date> }))).toMatchObject({
      message: expect.stringMatching(/must have encode\(value\) and decode\(bytes\) methods/),
    });
    expect(catching(() => here.tag("t").expose({ codec: null as unknown as Codec<Date> }))).toBeInstanceOf(InvalidCodecError);
  });

  it("has one of diff and patch without the other: refused by a contract and by the node's codecs option", () => {
    const good = dateCodec();
    const pair = { diff: () => undefined, patch: (base: Uint8Array) => base };
    const halves: Array<Codec<Date>> = [
      { ...good, diff: pair.diff },
      { ...good, patch: pair.patch },
      { ...good, ...pair, patch: "patch" as unknown as Codec<Date>["patch"] },
    ];
    for (const codec of halves) {
      expect(catching(() => node().object([], "x").observe({ codec }))).toMatchObject({
        code: "INVALID_CODEC",
        message: expect.stringMatching(/must have both diff\(base, next\) and patch\(base, diff\) methods, or neither/),
      });
      expect(catching(() => new LocalNode({ codecs: [codec as Codec<unknown>] }))).toBeInstanceOf(InvalidCodecError);
    }
    expect(catching(() => new LocalNode({ codecs: [{ ...good, ...pair, format: "JSON" } as Codec<unknown>] }))).toBeInstanceOf(InvalidCodecError);
  });
});

describe("the formats a node diffs and patches", () => {
  const pair = { diff: () => undefined, patch: (base: Uint8Array) => base };

  it("are those of its codecs option and of its contracts' codecs that have diff and patch, the first codec given for a format kept", () => {
    const given = { ...dateCodec(), ...pair, format: "given" };
    const here = node({ codecs: [given as Codec<unknown>, dateCodec() as Codec<unknown>] });
    const diffs = here.exchange.formatDiffs;
    expect(diffs.listed()).toEqual(["given"]);
    expect(diffs.of("given")).toBe(given);
    here.object([], "plain").observe({ codec: dateCodec() });
    expect(diffs.listed()).toEqual(["given"]);
    const observed = { ...dateCodec(), ...pair, format: "observed" };
    const exposed = { ...dateCodec(), ...pair, format: "exposed" };
    const again = { ...dateCodec(), ...pair, format: "observed" };
    here.tag("t").observe({ codec: observed });
    here.object([], "x").expose({ codec: exposed });
    here.object([], "y").observe({ codec: again });
    expect(diffs.listed()).toEqual(["given", "observed", "exposed"]);
    expect(diffs.of("observed")).toBe(observed);
  });
});

function catching(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}
