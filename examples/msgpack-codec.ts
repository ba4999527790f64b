// Formats: data that is not JSON. A codec turns values into bytes and back, here MessagePack (msgpackr),
// which keeps dates and maps that JSON would lose. Its diff/patch pair sends an update as the fields that
// changed. The router in between is given the codec, so updates cross both links as diffs (without it,
// it carries the bytes untouched and they go whole). A Uint8Array needs no codec at all.
// Run: npx tsx examples/msgpack-codec.ts
import { filter, firstValueFrom } from "rxjs";
import { Packr } from "msgpackr";
import { LocalNode, connect, listen, type Codec } from "hakuban";

type Fields = Record<string, unknown>;

/**
 * A MessagePack codec: dates, maps, sets and binary data survive the trip. When a value is an object of
 * fields before and after, its diff is the MessagePack of the fields set and unset, and patch applies it.
 */
export function msgpackCodec<T>(): Codec<T> {
  const packr = new Packr({ moreTypes: true });
  const fieldsOf = (bytes: Uint8Array): Fields | undefined => {
    const value: unknown = packr.unpack(bytes);
    return typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype ? (value as Fields) : undefined;
  };
  const same = (a: unknown, b: unknown) => {
    const [x, y] = [packr.pack(a), packr.pack(b)];
    return x.length === y.length && x.every((byte, i) => byte === y[i]);
  };
  return {
    format: "msgpack",
    encode: (value) => packr.pack(value),
    decode: (bytes) => packr.unpack(bytes) as T,
    diff(base, next) {
      const [before, after] = [fieldsOf(base), fieldsOf(next)];
      if (before === undefined || after === undefined) return undefined; // not objects of fields: whole
      const set: Fields = {};
      for (const [key, value] of Object.entries(after)) if (!(key in before) || !same(before[key], value)) set[key] = value;
      return packr.pack({ set, unset: Object.keys(before).filter((key) => !(key in after)) });
    },
    patch(base, diff) {
      const { set, unset } = packr.unpack(diff) as { set: Fields; unset: string[] };
      const fields = fieldsOf(base);
      if (fields === undefined || typeof set !== "object" || !Array.isArray(unset)) throw new Error("not a diff of this codec's fields");
      for (const key of unset) delete fields[key];
      return packr.pack(Object.assign(fields, set));
    },
  };
}

interface Reading {
  at: Date;
  celsius: number;
  hourly: Map<string, number>;
}

export async function msgpackExample(log: (line: string) => void = console.log): Promise<void> {
  // The router is given the codec for its diff/patch pair only: it patches and forwards diffs of ["msgpack"].
  const router = new LocalNode({ name: "router", codecs: [msgpackCodec()] });
  const server = await listen(router, { port: 0 });
  const sensor = new LocalNode({ name: "sensor" });
  const screen = new LocalNode({ name: "screen" });
  connect(sensor, server.url);
  connect(screen, server.url);

  // Exposer and observer use the same codec; states carry the format ["msgpack"].
  const codec = msgpackCodec<Reading>();
  const hourly = new Map([["06:00", 1.5], ["09:00", 3]]);
  const exposer = sensor.object(["weather"], "station-1").expose({ codec });
  exposer.set({ at: new Date("2026-12-07T12:00:00Z"), celsius: 4.5, hourly });
  const observer = screen.object(["weather"], "station-1").observe({ codec });
  const state = await firstValueFrom(observer.state$.pipe(filter((s) => s?.synchronized === true)));
  const reading = state!.data;
  log(`screen: ${reading.celsius} °C at ${reading.at.toISOString()}, ${reading.hourly.size} hourly values (${state!.format})`);

  // An observer without a codec (the router's here) gets the bytes and their format.
  const raw = router.object(["weather"], "station-1").observe<Uint8Array>().state;
  log(`router: ${raw?.data.length} bytes of ${raw?.format}`);

  // An update travels as the codec's diff, on both links: here the one field that changed.
  exposer.set({ ...reading, celsius: 5 });
  await firstValueFrom(observer.state$.pipe(filter((s) => s?.data.celsius === 5)));
  const diffBytes = router.snapshot().objects.find((object) => object.descriptor.json === "station-1")?.diffBytes;
  log(`screen: ${observer.data?.celsius} °C, the router sent it as a diff of ${diffBytes} bytes`);

  // Bytes as they are: format ["bytes"], never JSON-encoded or base64'd.
  sensor.object(["weather"], "station-1/photo").expose().set(Uint8Array.of(0xff, 0xd8, 0xff, 0xe0));
  const photos = screen.object(["weather"], "station-1/photo").observe<Uint8Array>();
  const photo = await firstValueFrom(photos.state$.pipe(filter((s) => s?.synchronized === true)));
  log(`screen: a photo of ${photo?.data.length} bytes (${photo?.format})`);

  await screen.close();
  await sensor.close();
  await router.close();
}

if (import.meta.url === `file://${process.argv[1]}`) await msgpackExample();
