/**
 * Diffs of formats other than JSON (a codec's diff/patch on the encoded bytes): a state goes as the
 * codec's diff only toward a receiver that listed its format in the handshake, whole otherwise; one
 * encoding per (state, base) is shared by every link at that base; the receiver patches in a guard (a
 * patch that throws, returns no bytes or a result over the link's limit ends that link, never the node);
 * relays patch and forward; a reconnect resyncs with a diff.
 */
import { describe, expect, it } from "vitest";
import { LocalNode } from "../../lib/index.js";
import { type BytesDiff, FormatDiffs } from "../../lib/state/format-diffs.js";
import { DEFAULT_FORMAT, type ObjectState } from "../../lib/state/object-state.js";
import { LinkFormats, NO_LINK_FORMATS } from "../../lib/sync/link-formats.js";
import { encodeState } from "../../lib/sync/state-encoding.js";
import { encodeBytesDiff, isDiff } from "../../lib/sync/wire/state-codec.js";
import { prefixCodec } from "./prefix-codec.js";
import { recordingReceiver } from "./recording-receiver.js";
import { link, settle } from "./tree-fixture.js";

const encoder = new TextEncoder();
const TEXT: readonly string[] = ["text"];
const LONG = "a state long enough that a change at its end is worth a diff: ".repeat(4);

const text = (version: number, value: string, format = TEXT): ObjectState<unknown> => ({ version: [version], format, data: encoder.encode(value), synchronized: true });

/** A link end whose node diffs and patches with `pair`, having listed `listed` and heard the peer list `peer`. */
function formatsOf(pair: BytesDiff, peer: readonly string[] = TEXT, listed: readonly string[] = TEXT): LinkFormats {
  const diffs = new FormatDiffs();
  diffs.add("text", pair);
  return new LinkFormats(diffs, listed, peer);
}

/** A receiver of the object "text" holding `held`, taking the diffs of `formats`, recording its link's ends. */
const receiverOf = (held: ObjectState<unknown> | undefined, formats: LinkFormats | undefined, maxLength?: number) =>
  recordingReceiver("text", held, { formats, maxLength });

describe("a state of a format with a diff", () => {
  it("goes as the codec's diff toward a receiver that listed the format, whole toward one that did not", () => {
    const codec = prefixCodec();
    const base = text(1, LONG);
    const target = text(2, `${LONG}!`);
    const diff = encodeState(target, base, undefined, formatsOf(codec));
    expect(isDiff(diff)).toBe(true);
    expect(diff.length).toBeLessThan(20);
    expect(isDiff(encodeState(target, base, undefined, formatsOf(codec, [])))).toBe(false);
    expect(isDiff(encodeState(target, base))).toBe(false);
    expect(isDiff(encodeState(target, text(1, LONG, ["other"]), undefined, formatsOf(codec)))).toBe(false);

    const { receiver, aborts } = receiverOf(base, formatsOf(codec));
    const received = receiver.receive(diff)!.state!;
    expect(received.format).toEqual(TEXT);
    expect(received.data).toEqual(target.data);
    expect(received.version).toEqual([2]);
    expect(codec.patches).toBe(1);
    expect(aborts).toEqual([]);
  });

  it("is diffed once per base: every link at that base gets the same bytes", () => {
    const codec = prefixCodec();
    const base = text(1, LONG);
    const target = text(2, `${LONG}?`);
    const first = encodeState(target, base, undefined, formatsOf(codec));
    expect(encodeState(target, base, undefined, formatsOf(codec))).toBe(first);
    expect(codec.diffs).toBe(1);
    expect(isDiff(encodeState(target, text(0, LONG), undefined, formatsOf(codec)))).toBe(true);
    expect(codec.diffs).toBe(2);
  });

  it("goes whole when the codec's diff is not smaller, is undefined, is not bytes, or throws", () => {
    const base = text(1, LONG);
    // A fresh state each time: one state's encoding against a base is made once and kept.
    const target = () => text(2, `${LONG}.`);
    const patch = prefixCodec().patch;
    const diffs: Array<BytesDiff["diff"]> = [
      (_, next) => new Uint8Array(next.length),
      () => undefined,
      () => "diff" as unknown as Uint8Array,
      () => {
        throw new Error("cannot diff");
      },
    ];
    for (const diff of diffs) expect(isDiff(encodeState(target(), base, undefined, formatsOf({ diff, patch })))).toBe(false);
    expect(isDiff(encodeState(target(), base, undefined, formatsOf({ diff: (_, next) => new Uint8Array(next.length - 1), patch })))).toBe(true);
  });

  it("a diff against a held state of another format asks for the full state", () => {
    const codec = prefixCodec();
    const diff = encodeBytesDiff(text(2, "x"), [1], Uint8Array.of(0, 0, 0, 0));
    for (const held of [text(1, "abc", ["other"]), { version: [1], format: DEFAULT_FORMAT, data: { a: 1 }, synchronized: true }]) {
      const { receiver, aborts } = receiverOf(held, formatsOf(codec));
      expect(receiver.receive(diff)).toEqual({ state: undefined, ack: { v: [1], resync: true } });
      expect(aborts).toEqual([]);
    }
    expect(codec.patches).toBe(0);
  });
});

describe("a hostile diff of a format other than JSON", () => {
  const held = text(1, "held");
  const diff = encodeBytesDiff(text(2, "x"), [1], Uint8Array.of(0, 0, 0, 9, 1, 2));

  it("a patch that throws or returns anything but bytes ends the link, and nothing is held", () => {
    const throwing = { diff: () => undefined, patch: () => { throw new Error("bad diff"); } };
    const wrong = { diff: () => undefined, patch: () => "patched" as unknown as Uint8Array };
    const expected = [
      'Object "text": the peer sent a diff of the format "text" that this node\'s codec could not patch (it threw bad diff); ' +
        "the state is refused and the link closed (both ends must use the same codec, with the same diff form, for that format)",
      'Object "text": the peer sent a diff of the format "text" that this node\'s codec could not patch (it returned patched, not a Uint8Array); ' +
        "the state is refused and the link closed (both ends must use the same codec, with the same diff form, for that format)",
    ];
    [throwing, wrong].forEach((pair, i) => {
      const { receiver, aborts } = receiverOf(held, formatsOf(pair));
      expect(receiver.receive(diff)).toBeUndefined();
      expect(aborts).toEqual([expected[i]]);
      expect(receiver.held).toBe(held);
    });
  });

  it("a result over the link's limit on length ends the link with a StateLimitError's message", () => {
    const codec = prefixCodec();
    const grow = encodeBytesDiff(text(2, "x"), [1], Uint8Array.of(0, 0, 0, 4, ...new Uint8Array(97)));
    const { receiver, aborts } = receiverOf(held, formatsOf(codec), 100);
    expect(receiver.receive(grow)).toBeUndefined();
    expect(aborts).toEqual([
      'Object "text": the peer sent a patch whose result would be 101 bytes, more than maxLength (100), over this link\'s data limits; ' +
        "the state is refused and the link closed (raise the link's dataLimits on this end if such states are legitimate)",
    ]);
    expect(receiver.held).toBe(held);
    const fits = receiverOf(held, formatsOf(codec), 101);
    expect(fits.receiver.receive(grow)?.state?.data).toHaveLength(101);
  });

  it("a diff of a format this side did not list ends the link, whatever it holds", () => {
    const codec = prefixCodec();
    for (const formats of [undefined, formatsOf(codec, TEXT, []), formatsOf(codec, TEXT, ["other"])]) {
      for (const start of [held, undefined]) {
        const { receiver, aborts } = receiverOf(start, formats);
        expect(receiver.receive(diff)).toBeUndefined();
        expect(aborts).toHaveLength(1);
        expect(aborts[0]).toContain('a diff of the format ["text"], which this side did not list as one it can patch');
      }
    }
    expect(codec.patches).toBe(0);
  });
});

describe("diffs of a codec's format across nodes", () => {
  /** An exposer, a router and an observer (router's children), with `routerCodecs` given to the router. */
  async function chain(routerCodecs: boolean) {
    const [exposing, observing, routing] = [prefixCodec(), prefixCodec(), prefixCodec()];
    const router = new LocalNode({ name: "router", ...(routerCodecs ? { codecs: [routing] } : {}) });
    const sensor = new LocalNode({ name: "sensor" });
    const screen = new LocalNode({ name: "screen" });
    const links = [link(router, sensor), link(router, screen)];
    const exposer = sensor.object([], "log").expose({ codec: exposing });
    const observer = screen.object([], "log").observe({ codec: observing });
    let value = LONG;
    exposer.set(value);
    await settle();
    for (let n = 0; n < 5; n++) {
      value = `${value}${n}`;
      exposer.set(value);
      await settle();
      expect(observer.data).toBe(value);
    }
    const close = async () => {
      for (const each of links) await each.close();
      for (const node of [screen, sensor, router]) await node.close();
    };
    return { exposing, observing, routing, links, close };
  }

  it("through a router without the codec, states go whole on both links; given the codec, as diffs on both", async () => {
    const without = await chain(false);
    expect([without.exposing.diffs, without.observing.patches]).toEqual([0, 0]);
    await without.close();

    const given = await chain(true);
    expect(given.exposing.diffs).toBe(5);
    expect(given.routing.patches).toBe(5);
    expect(given.observing.patches).toBe(5);
    // The router forwards the diff it patched: it never diffs.
    expect(given.routing.diffs).toBe(0);
    await given.close();
  });

  it("an observer whose node cannot patch the format gets whole states beside one that gets diffs", async () => {
    const [exposing, observing, routing] = [prefixCodec(), prefixCodec(), prefixCodec()];
    const router = new LocalNode({ name: "router", codecs: [routing] });
    const [sensor, screen, logger] = ["sensor", "screen", "logger"].map((name) => new LocalNode({ name }));
    const links = [link(router, sensor!), link(router, screen!), link(router, logger!)];
    const exposer = sensor!.object([], "log").expose({ codec: exposing });
    const observer = screen!.object([], "log").observe({ codec: observing });
    const raw = logger!.object([], "log").observe<Uint8Array>();
    exposer.set(LONG);
    await settle();
    exposer.set(`${LONG}+`);
    await settle();
    expect(observer.data).toBe(`${LONG}+`);
    expect(new TextDecoder().decode(raw.data!)).toBe(`${LONG}+`);
    expect(observing.patches).toBe(1);
    expect(links.map((each) => each.results)).toEqual([[], [], []]);
    for (const each of links) await each.close();
    for (const node of [logger!, screen!, sensor!, router]) await node.close();
  });

  it("a diff its parent cannot patch closes only that child's link", async () => {
    const root = new LocalNode({ name: "root", codecs: [prefixCodec()] });
    const hostile = new LocalNode({ name: "hostile" });
    const screen = new LocalNode({ name: "screen" });
    const bad = link(root, hostile);
    const good = link(root, screen);
    // The hostile child's codec makes diffs that point past the end of the base.
    const lying = { ...prefixCodec(), diff: () => Uint8Array.of(0xff, 0xff, 0xff, 0xff) };
    const exposer = hostile.object([], "log").expose({ codec: lying });
    const observer = screen.object([], "log").observe<Uint8Array>();
    exposer.set(LONG);
    await settle();
    expect(observer.data).toHaveLength(LONG.length);
    exposer.set(`${LONG}!`);
    const ended = await bad.downstream!.closed;
    expect(ended?.message).toContain('could not patch (it threw a prefix of 4294967295 bytes, beyond the base\'s');
    await settle();
    expect(good.results).toEqual([]);
    expect(good.downstream!.peerName).toBe("screen");
    expect(observer.state?.synchronized).toBe(false);
    await bad.close();
    await good.close();
    for (const node of [screen, hostile, root]) await node.close();
  });

  it("links where neither side can patch a format share one record of it; others have their own", async () => {
    const root = new LocalNode({ name: "root" });
    const [plain, coded] = [new LocalNode({ name: "plain" }), new LocalNode({ name: "coded", codecs: [prefixCodec()] })];
    const links = [link(root, plain), link(root, coded)];
    await settle();
    expect(links[0]!.downstream!.control.formats).toBe(NO_LINK_FORMATS);
    expect(links[1]!.downstream!.control.formats).not.toBe(NO_LINK_FORMATS);
    for (const each of links) await each.close();
    for (const node of [coded, plain, root]) await node.close();
  });

  it("a reconnect resyncs with a diff from what the observer held", async () => {
    const [exposing, observing] = [prefixCodec(), prefixCodec()];
    const root = new LocalNode({ name: "root" });
    const leaf = new LocalNode({ name: "leaf" });
    const wire = link(root, leaf);
    const exposer = root.object([], "log").expose({ codec: exposing });
    const observer = leaf.object([], "log").observe({ codec: observing });
    exposer.set(LONG);
    await settle();
    expect(observer.data).toBe(LONG);
    await wire.cut();
    exposer.set(`${LONG} and more`);
    wire.connect();
    await settle();
    expect(observer.data).toBe(`${LONG} and more`);
    expect(observer.state?.synchronized).toBe(true);
    expect([exposing.diffs, observing.patches]).toEqual([1, 1]);
    await wire.close();
    await leaf.close();
    await root.close();
  });
});
