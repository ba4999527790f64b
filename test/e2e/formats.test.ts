/**
 * Codecs and raw bytes over real sockets: through a router that has no codec, and down a three-level
 * tree with tag contracts. Routers hold and relay the bytes untouched; observers with the codec get
 * values, observers without it get the bytes and the format; a decoding failure goes to the observing
 * node's errors$ and leaves the state as bytes. A codec's diffs cross exactly the links whose receiver
 * can patch its format: through routers given the codec, diffs all the way; past a router without it,
 * whole states.
 */
import { expect, it } from "vitest";
import { msgpackCodec } from "../../examples/msgpack-codec.js";
import { CodecDecodeError, LocalNode, ObjectDescriptor, connect, listen, type Codec, type NodeError } from "../../lib/node-entry.js";
import { cleanupAfterEach } from "../test-cleanup.js";
import { first, status } from "./helpers.js";

interface Reading {
  at: Date;
  celsius: number;
  hourly: Map<string, number>;
}

const reading = (n: number): Reading => ({ at: new Date(Date.UTC(2026, 11, 7, n)), celsius: n / 2, hourly: new Map([[`${n}:00`, n]]) });

const cleanup = cleanupAfterEach();
const node = (name: string, withCodec = false): LocalNode => cleanup.node(name, withCodec ? { codecs: [msgpackCodec()] } : {});

it("through a router without a codec: values to observers with it, bytes and format to the others, decode failures reported", async () => {
  const router = node("router");
  const { url } = await listen(router, { port: 0 });
  const [sensor, screen, logger] = [node("sensor"), node("screen"), node("logger")];
  for (const each of [sensor, screen, logger]) await status(connect(each, url), "connected");
  const errors: NodeError[] = [];
  logger.errors$.subscribe((error) => errors.push(error));

  const codec = msgpackCodec<Reading>();
  const exposer = sensor.object(["weather"], 1).expose({ codec });
  const decoded = screen.object(["weather"], 1).observe({ codec });
  const raw = logger.object(["weather"], 1).observe<Uint8Array>();
  const broken: Codec<Reading> = { format: "msgpack", encode: codec.encode, decode: () => { throw new Error("wrong schema"); } };
  const failing = logger.object(["weather"], 1).observe({ codec: broken });

  exposer.set(reading(1));
  const one = await first(decoded.state$, (s) => s?.synchronized === true);
  expect(one?.format).toEqual(["msgpack"]);
  expect(one?.data).toEqual(reading(1));
  exposer.set(reading(2));
  await first(decoded.state$, (s) => (s?.data as Reading | undefined)?.celsius === 1);
  expect(decoded.data).toEqual(reading(2));

  // The router holds the bytes as the exposer encoded them; so does the observer without the codec.
  const encoded = codec.encode(reading(2));
  const atRouter = router.object(["weather"], 1).observe<Uint8Array>();
  expect(Uint8Array.from(atRouter.data!)).toEqual(Uint8Array.from(encoded));
  const bytes = await first(raw.state$, (s) => s !== undefined && s.data.length === encoded.length && s.synchronized);
  expect(bytes?.format).toEqual(["msgpack"]);
  expect(Uint8Array.from(bytes!.data)).toEqual(Uint8Array.from(encoded));

  // The broken codec: reported on the logger's node, once per state, and the state stays bytes.
  const failed = await first(failing.state$, (s) => s?.data instanceof Uint8Array && s.data.length === encoded.length);
  expect(failed?.format).toEqual(["msgpack"]);
  if (errors.length === 0) await first(logger.errors$, () => true);
  expect(errors.length).toBeGreaterThan(0);
  expect(errors.every(({ error }) => error instanceof CodecDecodeError && /Object .*: codec "msgpack" could not decode a state \(wrong schema\)/.test(error.message))).toBe(true);
  const reported = errors.length;
  void failing.state;
  expect(errors.length).toBe(reported);

  // Raw bytes need no codec; large ones cross whole.
  const blob = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 7919) % 251);
  sensor.object(["weather"], "blob").expose().set(blob);
  const blobs = screen.object(["weather"], "blob").observe<Uint8Array>();
  const got = await first(blobs.state$, (s) => s?.synchronized === true);
  expect(got?.format).toEqual(["bytes"]);
  expect(got?.data).toEqual(blob);

  // The exposer goes: the observer keeps the decoded value, no longer synchronized.
  await sensor.close();
  const stale = await first(decoded.state$, (s) => s?.synchronized === false);
  expect(stale?.data).toEqual(reading(2));
});

it("a three-level tree with tag contracts: a tag exposer under the root, a tag observer under the mid router", async () => {
  const root = node("root");
  const rootUrl = (await listen(root, { port: 0 })).url;
  const mid = node("mid");
  await status(connect(mid, rootUrl), "connected");
  const midUrl = (await listen(mid, { port: 0 })).url;
  const leafA = node("leaf-a");
  const leafB = node("leaf-b");
  await status(connect(leafA, rootUrl), "connected");
  await status(connect(leafB, midUrl), "connected");

  const codec = msgpackCodec<Reading>();
  const exposer = leafA.tag("stations").expose({ codec });
  exposer.onAssignment(({ descriptor, assigned }) => {
    if (assigned) exposer.set(descriptor, reading(descriptor.json as number));
  });
  const observer = leafB.tag("stations").observe({ codec });
  const atMid = mid.tag("stations").observe(); // no codec: bytes
  const stations = [1, 2, 3].map((n) => new ObjectDescriptor(["stations"], n));
  for (const station of stations) leafB.object(station).observe();

  await first(observer.changes$, () => observer.objects.size === 3 && [...observer.objects.values()].every((o) => o.state?.synchronized === true));
  for (const station of stations) {
    expect(observer.objects.get(station.key)?.state?.data).toEqual(reading(station.json as number));
    const held = atMid.objects.get(station.key)?.state;
    expect(held?.format).toEqual(["msgpack"]);
    expect(held?.data).toBeInstanceOf(Uint8Array);
    expect(codec.decode(held!.data as unknown as Uint8Array)).toEqual(reading(station.json as number));
  }

  // Updates cross the tree whole, and arrive decoded.
  exposer.set(stations[0]!, reading(20));
  const change = await first(observer.changes$, (c) => c.descriptor.equals(stations[0]!) && (c.state?.data as Reading | undefined)?.celsius === 10);
  expect(change.state?.data).toEqual(reading(20));
});

it("a three-level tree: diffs of the codec's format on the links whose receiver was given the codec, whole states past a router without it", async () => {
  /** The length of the last diff `at` sent for the station (null: it sent none). */
  const diffBytes = (at: LocalNode) => at.snapshot().objects.find((object) => object.descriptor.json === "station")?.diffBytes ?? null;
  async function tree(midCodec: boolean) {
    const root = node("root", true);
    const rootUrl = (await listen(root, { port: 0 })).url;
    const mid = node("mid", midCodec);
    await status(connect(mid, rootUrl), "connected");
    const midUrl = (await listen(mid, { port: 0 })).url;
    // The screen's observer comes after its link: its node is given the codec so that its Hello lists the format.
    const [sensor, screen] = [node("sensor"), node("screen", true)];
    await status(connect(sensor, rootUrl), "connected");
    await status(connect(screen, midUrl), "connected");
    const codec = msgpackCodec<Record<string, number>>();
    const exposer = sensor.object(["weather"], "station").expose({ codec });
    const observer = screen.object(["weather"], "station").observe({ codec });
    const fields = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`field_${i}`, i]));
    exposer.set(fields);
    await first(observer.state$, (s) => s?.synchronized === true);
    for (let n = 1; n <= 3; n++) {
      exposer.set({ ...fields, field_7: n });
      await first(observer.state$, (s) => s?.data.field_7 === n);
    }
    expect(observer.data).toEqual({ ...fields, field_7: 3 });
    return { root, mid, sensor };
  }

  const past = await tree(false);
  expect(diffBytes(past.sensor)).toBeLessThan(100);
  expect([diffBytes(past.root), diffBytes(past.mid)]).toEqual([null, null]);

  const through = await tree(true);
  expect(diffBytes(through.sensor)).toBeLessThan(100);
  expect(diffBytes(through.root)).toBeLessThan(100);
  expect(diffBytes(through.mid)).toBeLessThan(100);
});
