import type { Redis } from "ioredis";
import type { ClusterKeys } from "./cluster-keys.js";
import { type LeaseHolding, parseHolding } from "./lease-store.js";
import { LuaScript } from "./lua-script.js";

/**
 * KEYS: observers, candidates, capacities; ARGV: member, observed (0/1), capacity, ttl, interest channel,
 * object key. Records (or refreshes, or removes) the member in both sets, each entry scored by when it
 * expires on the server's clock, with its capacity, and tells every member on the interest channel when
 * membership changed.
 */
const REPORT = new LuaScript(
  `redis.replicate_commands()
local time = redis.call('TIME')
local expiry = time[1] * 1000 + math.floor(time[2] / 1000) + tonumber(ARGV[4])
local changed = 0
if ARGV[2] == '1' then changed = changed + redis.call('ZADD', KEYS[1], expiry, ARGV[1]) else changed = changed + redis.call('ZREM', KEYS[1], ARGV[1]) end
if tonumber(ARGV[3]) > 0 then
  changed = changed + redis.call('ZADD', KEYS[2], expiry, ARGV[1])
  redis.call('HSET', KEYS[3], ARGV[1], ARGV[3])
else
  changed = changed + redis.call('ZREM', KEYS[2], ARGV[1])
  redis.call('HDEL', KEYS[3], ARGV[1])
end
if changed > 0 then redis.call('PUBLISH', ARGV[5], ARGV[6]) end
return changed`,
  3,
);

/**
 * KEYS: lease, observers, candidates; ARGV: member. Drops expired entries (members that stopped
 * refreshing: dead or cut off), then answers the lease and how many other members observe the object
 * and can expose it.
 */
const VIEW = new LuaScript(
  `redis.replicate_commands()
local time = redis.call('TIME')
local now = time[1] * 1000 + math.floor(time[2] / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
local observers = redis.call('ZCARD', KEYS[2])
if redis.call('ZSCORE', KEYS[2], ARGV[1]) then observers = observers - 1 end
local candidates = redis.call('ZCARD', KEYS[3])
if redis.call('ZSCORE', KEYS[3], ARGV[1]) then candidates = candidates - 1 end
return {redis.call('GET', KEYS[1]) or '', observers, candidates}`,
  3,
);

/** What one member sees of an object cluster-wide. */
export interface ObjectView {
  /** The lease in force, or undefined when nobody holds it. */
  readonly holding: LeaseHolding | undefined;
  /** Whether another member's subtree observes the object. */
  readonly observedElsewhere: boolean;
  /** How many other members' subtrees can expose it. */
  readonly candidatesElsewhere: number;
}

/**
 * Which members' subtrees observe and can expose each object, in Redis. Each member reports its own
 * interest and refreshes it well within `ttlMs`; an entry not refreshed expires, so a member that died
 * stops counting without anyone removing it.
 */
export class InterestBoard {
  constructor(
    private readonly redis: Redis,
    private readonly keys: ClusterKeys,
    private readonly ttlMs: number,
  ) {}

  /**
   * Records `member`'s interest in `objectKey`: whether its subtree observes it, and its subtree's
   * capacity to expose it (0: none); other members hear of a change at once.
   */
  async report(objectKey: string, member: string, observed: boolean, capacity: number): Promise<void> {
    await REPORT.run(
      this.redis,
      [this.keys.observers(objectKey), this.keys.candidates(objectKey), this.keys.capacities(objectKey)],
      [member, observed ? "1" : "0", capacity, this.ttlMs, this.keys.interestChannel, objectKey],
    );
  }

  /** The lease and the other members' interest in `objectKey`, as `member` sees them. */
  async view(objectKey: string, member: string): Promise<ObjectView> {
    const reply = (await VIEW.run(this.redis, [this.keys.lease(objectKey), this.keys.observers(objectKey), this.keys.candidates(objectKey)], [member])) as [
      string,
      number,
      number,
    ];
    return { holding: parseHolding(reply[0] === "" ? undefined : reply[0]), observedElsewhere: reply[1] > 0, candidatesElsewhere: reply[2] };
  }
}
