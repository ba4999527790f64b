import type { Redis } from "ioredis";
import type { ClusterKeys } from "./cluster-keys.js";
import { LuaScript } from "./lua-script.js";

/**
 * KEYS: the object's tags' directories; ARGV: object key, ttl, tag channel, then the tags' keys. Lists
 * the object in each directory until it expires (on the server's clock); tells members on the tag channel
 * of each directory it is new in.
 */
const LIST = new LuaScript(
  `redis.replicate_commands()
local time = redis.call('TIME')
local expiry = time[1] * 1000 + math.floor(time[2] / 1000) + tonumber(ARGV[2])
for i, key in ipairs(KEYS) do
  if redis.call('ZADD', key, expiry, ARGV[1]) == 1 then redis.call('PUBLISH', ARGV[3], ARGV[3 + i]) end
end
return 0`,
  -1,
);

/** KEYS: a tag's directory. Drops the objects whose listing expired and answers the others' keys. */
const READ = new LuaScript(
  `redis.replicate_commands()
local time = redis.call('TIME')
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', time[1] * 1000 + math.floor(time[2] / 1000))
return redis.call('ZRANGE', KEYS[1], 0, -1)`,
  1,
);

/**
 * Which objects carrying each tag exist somewhere in the cluster, so that a root whose subtree observes
 * or exposes the tag learns of objects contracted under another root (as a parent announces them to a
 * child). Only objects that a contract names (observed or exposed by descriptor) are listed, each by
 * every member whose subtree holds such a contract and refreshed within `ttlMs`: an object nobody names
 * any more drops out when its listing expires.
 */
export class TagDirectory {
  constructor(
    private readonly redis: Redis,
    private readonly keys: ClusterKeys,
    private readonly ttlMs: number,
  ) {}

  /** Lists (or keeps listing) `objectKey` under each of `tagKeys`. */
  async list(objectKey: string, tagKeys: readonly string[]): Promise<void> {
    if (tagKeys.length === 0) return;
    await LIST.run(this.redis, tagKeys.map((tag) => this.keys.tagDirectory(tag)), [objectKey, this.ttlMs, this.keys.tagChannel, ...tagKeys]);
  }

  /** The keys of the objects listed under `tagKey`. */
  async objects(tagKey: string): Promise<readonly string[]> {
    return (await READ.run(this.redis, [this.keys.tagDirectory(tagKey)], [])) as string[];
  }
}
