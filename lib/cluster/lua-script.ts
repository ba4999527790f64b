import { createHash } from "node:crypto";
import type { Redis } from "ioredis";

/**
 * A Lua script run on Redis by its SHA1 (EVALSHA), loaded with EVAL the first time a server does not
 * know it (after a restart too): the script's text crosses the network once per server, not per call.
 */
export class LuaScript {
  private readonly sha: string;

  /**
   * @param keyCount how many of a call's first arguments are keys; -1 for all those the call gives as keys
   */
  constructor(
    private readonly source: string,
    private readonly keyCount: number,
  ) {
    this.sha = createHash("sha1").update(source).digest("hex");
  }

  /** Runs the script with `keys` (keyCount of them, unless it is -1) and `args`; resolves with its reply. */
  async run(redis: Redis, keys: readonly string[], args: readonly (string | number | Buffer)[]): Promise<unknown> {
    const keyCount = this.keyCount < 0 ? keys.length : this.keyCount;
    try {
      return await redis.evalsha(this.sha, keyCount, ...keys, ...args);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith("NOSCRIPT")) throw error;
      return await redis.eval(this.source, keyCount, ...keys, ...args);
    }
  }
}
