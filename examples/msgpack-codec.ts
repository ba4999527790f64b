// Formats: data that is not JSON. A codec turns values into bytes and back, here MessagePack (msgpackr),
// which keeps dates and maps that JSON would lose. The router in between has no codec: it carries the
// bytes and their format untouched. A Uint8Array needs no codec at all. Run: npx tsx examples/msgpack-codec.ts
import { filter, firstValueFrom } from "rxjs";
import { Packr } from "msgpackr";
import { LocalNode, connect, listen, type Codec } from "hakuban";

/** A MessagePack codec: dates, maps, sets and binary data survive the trip. */
export function msgpackCodec<T>(): Codec<T> {
  const packr = new Packr({ moreTypes: true });
  return { format: "msgpack", encode: (value) => packr.pack(value), decode: (bytes) => packr.unpack(bytes) as T };
}

interface Reading {
  at: Date;
  celsius: number;
  hourly: Map<string, number>;
}

export async function msgpackExample(log: (line: string) => void = console.log): Promise<void> {
  const router = new LocalNode({ name: "router" });
  const server = await listen(router, { port: 0 });
  const sensor = new LocalNode({ name: "sensor" });
  const screen = new LocalNode({ name: "screen" });
  connect(sensor, server.url);
  connect(screen, server.url);

  // Exposer and observer use the same codec; states carry the format ["msgpack"].
  const codec = msgpackCodec<Reading>();
  const hourly = new Map([["06:00", 1.5], ["09:00", 3]]);
  sensor.object(["weather"], "station-1").expose({ codec }).set({ at: new Date("2026-12-07T12:00:00Z"), celsius: 4.5, hourly });
  const observer = screen.object(["weather"], "station-1").observe({ codec });
  const state = await firstValueFrom(observer.state$.pipe(filter((s) => s?.synchronized === true)));
  const reading = state!.data;
  log(`screen: ${reading.celsius} °C at ${reading.at.toISOString()}, ${reading.hourly.size} hourly values (${state!.format})`);

  // Without the codec (the router here), a state is its bytes and their format.
  const raw = router.object(["weather"], "station-1").observe<Uint8Array>().state;
  log(`router: ${raw?.data.length} bytes of ${raw?.format}`);

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
