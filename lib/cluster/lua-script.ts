import { createHash } from "node:crypto";
import type { Redis } from "ioredis";

/**
 * A Lua script run on Redis by its SHA1 (EVALSHA), loaded with EVAL the first time a server does not
 * know it (after a restart too): the script's text crosses the network once per server, not per call.
 */
export class LuaScript {
  private readonly sha: string;

  constructor(
    private readonly source: string,
    private readonly keyCount: number,
  ) {
    this.sha = createHash("sha1").update(source).digest("hex");
  }

  /** Runs the script with `keys` (exactly keyCount of them) and `args`; resolves with its reply. */
  async run(redis: Redis, keys: readonly string[], args: readonly (string | number | Buffer)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, this.keyCount, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
      return await redis.eval(this.source, this.keyCount, ...keys, ...args);
    }
  }
}
