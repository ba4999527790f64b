import type { Redis } from "ioredis";
import type { ClusterKeys } from "./cluster-keys.js";
import { HOLDER_OF } from "./holder-of.js";
import { type LeaseHolding, parseHolding } from "./lease-store.js";
import { LuaScript } from "./lua-script.js";
import { liveMembers } from "./member-registry.js";

/**
 * KEYS: observers, capacities; ARGV: member, observed (0/1), capacity, interest channel, object key.
 * Records (or removes) the member among the object's observers and candidates, with its capacity, and
 * tells every member on the interest channel when that changed anything.
 */
const REPORT = new LuaScript(
  `local changed = 0
if ARGV[2] == '1' then changed = changed + redis.call('SADD', KEYS[1], ARGV[1]) else changed = changed + redis.call('SREM', KEYS[1], ARGV[1]) end
if tonumber(ARGV[3]) > 0 then
  if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[3] then
    redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
    changed = changed + 1
  end
else
  changed = changed + redis.call('HDEL', KEYS[2], ARGV[1])
end
if changed > 0 then redis.call('PUBLISH', ARGV[4], ARGV[5]) end
return changed`,
  2,
);

/**
 * KEYS: lease, observers, capacities, members; ARGV: member. Drops the entries of members that are gone,
 * then answers the lease (none when its holder is gone) and how many other live members observe the
 * object and can expose it.
 */
const VIEW = new LuaScript(
  `${liveMembers("KEYS[4]")}
${HOLDER_OF}
local observers, candidates = 0, 0
for _, member in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if not alive(member) then redis.call('SREM', KEYS[2], member) elseif member ~= ARGV[1] then observers = observers + 1 end
end
for _, member in ipairs(redis.call('HKEYS', KEYS[3])) do
  if not alive(member) then redis.call('HDEL', KEYS[3], member) elseif member ~= ARGV[1] then candidates = candidates + 1 end
end
local lease = redis.call('GET', KEYS[1])
if lease and not alive(holderOf(lease)) then lease = false end
return {lease or '', observers, candidates}`,
  4,
);

/** What one member sees of an object cluster-wide. */
export interface ObjectView {
  /** The lease in force, or undefined when nobody holds it (or its holder is gone). */
  readonly holding: LeaseHolding | undefined;
  /** Whether another member's subtree observes the object. */
  readonly observedElsewhere: boolean;
  /** How many other members' subtrees can expose it. */
  readonly candidatesElsewhere: number;
}

/**
 * Which members' subtrees observe and can expose each object, in Redis. Each member reports its own
 * interest when it changes, and nothing while it does not; an entry counts while its member is live (see
 * MemberRegistry), so a member that is gone stops counting without anyone removing its entries.
 */
export class InterestBoard {
  constructor(
    private readonly redis: Redis,
    private readonly keys: ClusterKeys,
  ) {}

  /**
   * Records `member`'s interest in `objectKey`: whether its subtree observes it, and its subtree's
   * capacity to expose it (0: none); other members hear of a change at once.
   */
  async report(objectKey: string, member: string, observed: boolean, capacity: number): Promise<void> {
    await REPORT.run(
      this.redis,
      [this.keys.observers(objectKey), this.keys.capacities(objectKey)],
      [member, observed ? "1" : "0", capacity, this.keys.interestChannel, objectKey],
    );
  }

  /** The lease and the other live members' interest in `objectKey`, as `member` sees them. */
  async view(objectKey: string, member: string): Promise<ObjectView> {
    const keys = [this.keys.lease(objectKey), this.keys.observers(objectKey), this.keys.capacities(objectKey), this.keys.members];
    const reply = (await VIEW.run(this.redis, keys, [member])) as [string, number, number];
    return { holding: parseHolding(reply[0] === "" ? undefined : reply[0]), observedElsewhere: reply[1] > 0, candidatesElsewhere: reply[2] };
  }
}
