// Monitoring: a parent that publishes its own view under a monitor tag, and an operator's program that
// follows it like any other object. `hakuban-router --monitor-tag monitor` does what `listen` does here,
// and serves the inspector page too. Run: npx tsx examples/monitor.ts
import { filter, firstValueFrom, map } from "rxjs";
import { LocalNode, connect, listen, readNodeSnapshot, type NodeSnapshot, type ObjectSnapshot } from "hakuban";

export async function monitor(log: (line: string) => void = console.log): Promise<void> {
  const router = new LocalNode({ name: "router" });
  const server = await listen(router, { port: 0, monitorTag: "monitor", monitorIntervalMs: 100 });

  const sensor = new LocalNode({ name: "kitchen-sensor" });
  connect(sensor, server.url);
  sensor.object(["sensors"], { room: "kitchen" }).expose<number>().set(21.5);
  const display = new LocalNode({ name: "hall-display" });
  connect(display, server.url);
  display.object(["sensors"], { room: "kitchen" }).observe<number>();

  // Observing the tag is what makes each node under it publish its snapshot, refreshed while observed.
  // Any node allowed to expose under the tag could publish anything there: readNodeSnapshot checks it.
  const operator = new LocalNode({ name: "operator" });
  connect(operator, server.url);
  const kitchen = (view: NodeSnapshot): ObjectSnapshot | undefined => view.objects.find((object) => object.descriptor.tags.includes("sensors"));
  const view = await firstValueFrom(
    operator
      .tag("monitor")
      .observe()
      .changes$.pipe(
        map((change) => readNodeSnapshot(change.state?.data)),
        filter((view): view is NodeSnapshot => view !== undefined && view.links.length === 3 && kitchen(view)?.synchronized === true),
      ),
  );
  log(`${view.node}: links from ${view.links.map((link) => link.name).sort().join(", ")}`);
  const object = kitchen(view)!;
  const exposer = object.exposer?.kind === "link" ? `the link from ${object.exposer.name}` : object.exposer?.kind;
  log(`${JSON.stringify(object.descriptor)}: exposed by ${exposer}, ${object.observers} observer, ${object.stateBytes} bytes`);
  for (const link of [...view.links].sort((a, b) => (a.name ?? "").localeCompare(b.name ?? ""))) {
    log(`${link.name}: observes ${link.observed}, exposes ${link.exposed}`);
  }

  await Promise.all([operator.close(), display.close(), sensor.close()]);
  await router.close();
}

if (import.meta.url === `file://${process.argv[1]}`) await monitor();
