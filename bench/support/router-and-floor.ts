/**
 * The two servers a paired scenario compares: a hakuban router process and the raw `ws` floor server,
 * each with its publisher, started together and always stopped together.
 */
import type { DocumentShape } from "./bench-document.js";
import { floorPublisher, hakubanPublisher, type Publisher, type TopicSizes } from "./publisher.js";
import { startRouterProcess, type RouterProcess } from "./router-process.js";
import { type FloorServer, startFloorServer } from "./ws-floor-server.js";

/** A router and the floor server, and a publisher of the same documents on each. */
export interface RouterAndFloor {
  readonly router: RouterProcess;
  readonly floorServer: FloorServer;
  readonly hakubanPublisher: Publisher;
  readonly floorPublisher: Publisher;
}

/**
 * Starts a router process and the floor server, a publisher of `sizes` (documents of `shape`) on each,
 * runs `body` with them, and closes the publishers and stops both servers however `body` ends.
 */
export async function withRouterAndFloor<T>(sizes: TopicSizes, shape: DocumentShape | undefined, body: (systems: RouterAndFloor) => Promise<T>): Promise<T> {
  const router = await startRouterProcess();
  const floorServer = await startFloorServer().catch(async (error: unknown) => {
    await router.stop();
    throw error;
  });
  const publishers: Publisher[] = [];
  try {
    const hakuban = await hakubanPublisher(router.url, sizes, shape);
    publishers.push(hakuban);
    const floor = await floorPublisher(floorServer.url, sizes, shape);
    publishers.push(floor);
    return await body({ router, floorServer, hakubanPublisher: hakuban, floorPublisher: floor });
  } finally {
    for (const publisher of publishers) await publisher.close();
    await Promise.all([router.stop(), floorServer.stop()]);
  }
}
