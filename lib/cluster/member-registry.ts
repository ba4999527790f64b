import type { Redis } from "ioredis";
import type { ClusterKeys } from "./cluster-keys.js";
import { HOLDER_OF } from "./holder-of.js";
import { LuaScript } from "./lua-script.js";

/**
 * Lua: `now`, the server's time in milliseconds, and `alive(member)`, whether `member` is in the live
 * members' set `membersKey` with a heartbeat that has not expired. Every script that acts for a member
 * (takes or keeps a lease, stores a state, counts an interest) asks this, so a member whose heartbeat
 * lapsed is no member any more, wherever it is asked.
 */
export function liveMembers(membersKey: string): string {
  return `redis.replicate_commands()
local clock = redis.call('TIME')
local now = clock[1] * 1000 + math.floor(clock[2] / 1000)
local function alive(member)
  local expiry = redis.call('ZSCORE', ${membersKey}, member)
  return expiry ~= false and expiry ~= nil and tonumber(expiry) > now
end`;
}

/**
 * Lua: forgets `gone` (a member id), a member that left or whose heartbeat lapsed: takes it out of the
 * members and the loads, ends the leases it still holds (each object's stored state then lasts KEEP ms
 * more, for the member that takes the object over), and tells the members on the channel.
 * KEYS[1..2]: members, loads; ARGV[1..2]: prefix, channel; `keep`: how long the stored states last.
 */
const FORGET = `${HOLDER_OF}
local function forget(gone, keep)
  redis.call('ZREM', KEYS[1], gone)
  redis.call('HDEL', KEYS[2], gone)
  local held = ARGV[1] .. 'held:' .. gone
  for _, object in ipairs(redis.call('SMEMBERS', held)) do
    local lease = ARGV[1] .. 'lease:' .. object
    local value = redis.call('GET', lease)
    if value and holderOf(value) == gone then
      redis.call('DEL', lease)
      redis.call('PEXPIRE', ARGV[1] .. 'state:' .. object, keep)
    end
  end
  redis.call('DEL', held)
  redis.call('PUBLISH', ARGV[2], gone)
end`;

/**
 * KEYS: members, loads; ARGV: prefix, gone channel, member, ttl, join (1: a new member may enter), how
 * long stored states last. Renews the member's heartbeat, unless it lapsed (it is gone: the others may
 * have taken its objects over) and it is not joining; then forgets every member whose heartbeat lapsed.
 * Answers 1 when the member is live, 0 when it is gone.
 */
const HEARTBEAT = new LuaScript(
  `${liveMembers("KEYS[1]")}
${FORGET}
local live = 1
if ARGV[5] ~= '1' and not alive(ARGV[3]) then live = 0 else redis.call('ZADD', KEYS[1], now + tonumber(ARGV[4]), ARGV[3]) end
for _, gone in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)) do forget(gone, ARGV[6]) end
return live`,
  2,
);

/** KEYS: members, loads; ARGV: prefix, gone channel, member, how long stored states last. The member leaves. */
const LEAVE = new LuaScript(
  `${FORGET}
forget(ARGV[3], ARGV[4])
return 0`,
  2,
);

/**
 * The live members of a cluster in Redis, by heartbeat: each member renews its own entry well within
 * `ttlMs` (one command per member per renewal, however many objects it has); an entry not renewed in
 * time makes the member gone for every script at once, and the next heartbeat of any member forgets it
 * (its leases end) and says so on the gone channel, so the others look again only at the objects it
 * touched. A member that was gone never comes back under the same id: it joins anew under another.
 */
export class MemberRegistry {
  /**
   * @param ttlMs how long a heartbeat lasts
   * @param keepMs how long the stored state of an object whose holder is gone lasts
   */
  constructor(
    private readonly redis: Redis,
    private readonly keys: ClusterKeys,
    readonly ttlMs: number,
    private readonly keepMs: number,
  ) {}

  /**
   * Renews `member`'s heartbeat (enters it when `join`), and forgets the members whose heartbeat
   * lapsed. Resolves false when `member` is gone (not joining): it must join anew under another id.
   */
  async heartbeat(member: string, join = false): Promise<boolean> {
    const keys = this.keys;
    const reply = await HEARTBEAT.run(this.redis, [keys.members, keys.loads], [keys.prefix, keys.memberChannel, member, this.ttlMs, join ? "1" : "0", this.keepMs]);
    return reply === 1;
  }

  /** Takes `member` out at once: its leases end and the others hear of it. */
  async leave(member: string): Promise<void> {
    const keys = this.keys;
    await LEAVE.run(this.redis, [keys.members, keys.loads], [keys.prefix, keys.memberChannel, member, this.keepMs]);
  }
}
