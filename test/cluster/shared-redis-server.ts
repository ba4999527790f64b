import { afterAll, beforeAll } from "vitest";
import { RedisServer, type RedisServerOptions } from "./redis-server.js";

/**
 * One redis-server shared by the tests of the calling file: started before the first of them and stopped
 * after the last. Returns the way to reach it while they run.
 */
export function sharedRedisServer(options: RedisServerOptions = {}): () => RedisServer {
  let server: RedisServer | undefined;
  beforeAll(async () => {
    server = await RedisServer.start(options);
  });
  afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (server === undefined) throw new Error("the shared redis-server runs only while the file's tests do");
    return server;
  };
}
