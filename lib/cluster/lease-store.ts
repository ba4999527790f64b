import type { Redis } from "ioredis";
import { ClusterKeys } from "./cluster-keys.js";
import { HOLDER_OF } from "./holder-of.js";
import { LuaScript } from "./lua-script.js";
import { liveMembers } from "./member-registry.js";
import { REBALANCE_THRESHOLD } from "../exchange/election.js";

/**
 * One object's lease as Redis holds it: which cluster member holds the object's election, and the
 * fencing epoch the lease took when it was acquired. A state is accepted only in the epoch of the lease
 * in force, so a former holder that still believes it holds the lease (paused, cut off) is refused.
 */
export interface LeaseHolding {
  /** The member holding the lease (a ClusterMember's id). */
  readonly holder: string;
  /** The fencing epoch: every new lease of an object takes a higher one than any before it. */
  readonly epoch: number;
}

/**
 * How long an object's stored state outlasts its lease (released, or its holder gone), in heartbeat
 * times: a member that takes the object over still finds it.
 */
export const STATE_KEPT_LEASES = 4;

/**
 * How long a member's heartbeat (and with it its leases) lasts without renewal unless configured: long
 * enough to ride out a short stall, short enough for a quick failover.
 */
export const DEFAULT_LEASE_TTL_MS = 5000;

/**
 * Lua: starts the epoch counter `key` at the server's time in milliseconds when it does not exist
 * (a new object, or a Redis that restarted empty). Epochs issued before a restart counted up from an
 * earlier time, once per lease, so they stay below (members that are still away cannot raise the
 * counter with the epochs they know before another member takes the lease).
 */
function startEpochs(key: string): string {
  return `if redis.call('EXISTS', ${key}) == 0 then
  local start = redis.call('TIME')
  redis.call('SET', ${key}, start[1] * 1000 + math.floor(start[2] / 1000))
end`;
}

/**
 * Lua: the best placed of the live candidates of an object (KEYS[3]: their capacities for it, by member
 * id), by their loads (KEYS[4]): the one whose load per capacity would stay lowest with one more object,
 * ties to the lowest id (as the exchange's election does). Sets `best`, `bestScore`. Needs liveMembers.
 * `excluded`: a Lua expression naming a member to leave out (the holder asking), when given.
 */
function bestCandidate(excluded?: string): string {
  return `local best, bestScore = nil, nil
local candidates = redis.call('HGETALL', KEYS[3])
for i = 1, #candidates, 2 do
  local member, capacity = candidates[i], tonumber(candidates[i + 1])
  if capacity > 0${excluded === undefined ? "" : ` and member ~= ${excluded}`} and alive(member) then
    local score = (tonumber(redis.call('HGET', KEYS[4], member) or '0') + 1) / capacity
    if best == nil or score < bestScore or (score == bestScore and member < best) then best, bestScore = member, score end
  end
end`;
}

/**
 * KEYS: lease, epoch counter, capacities, loads, members, the holder's held set; ARGV: holder, floor,
 * the object's key.
 * Takes the lease when nobody holds it (or its holder is gone) and the holder is live and the best placed
 * candidate (or none is listed), with an epoch from the counter raised past `floor`; counts it in the
 * holder's load and held set. Answers the holding in force, or '' when the lease is free but another
 * candidate is better placed (or the holder is not live itself).
 */
const ACQUIRE = new LuaScript(
  `${liveMembers("KEYS[5]")}
${HOLDER_OF}
local held = redis.call('GET', KEYS[1])
if held and alive(holderOf(held)) then return held end
if not alive(ARGV[1]) then return '' end
${bestCandidate()}
if best ~= nil and best ~= ARGV[1] then return '' end
${startEpochs("KEYS[2]")}
local epoch = redis.call('INCR', KEYS[2])
local floor = tonumber(ARGV[2])
if epoch <= floor then
  epoch = floor + 1
  redis.call('SET', KEYS[2], epoch)
end
local value = epoch .. ' ' .. ARGV[1]
redis.call('SET', KEYS[1], value)
redis.call('HINCRBY', KEYS[4], ARGV[1], 1)
redis.call('SADD', KEYS[6], ARGV[3])
return value`,
  6,
);

/**
 * KEYS: -, -, capacities, loads, members; ARGV: holder, threshold. Whether the holder should hand the
 * object over: its load per capacity passes the best placed other live candidate's (with one more
 * object) by more than the threshold, as a move in the exchange's election does.
 */
const OVERLOADED = new LuaScript(
  `${liveMembers("KEYS[5]")}
local capacity = tonumber(redis.call('HGET', KEYS[3], ARGV[1]) or '0')
if capacity <= 0 then return 0 end
local load = tonumber(redis.call('HGET', KEYS[4], ARGV[1]) or '0') / capacity
${bestCandidate("ARGV[1]")}
if best ~= nil and load > bestScore * (1 + tonumber(ARGV[2])) then return 1 end
return 0`,
  5,
);

/**
 * KEYS: lease, loads, the holder's held set, stored state; ARGV: the holding's value, its holder, the
 * interest channel, the object's key, how long the stored state lasts. Ends the lease only while that
 * holding is still in force, takes it off the holder's load, leaves the stored state for a while (for
 * the member that takes the object over), and tells the members on the interest channel, so a
 * candidate takes the object over at once.
 */
const RELEASE = new LuaScript(
  `if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HINCRBY', KEYS[2], ARGV[2], -1)
redis.call('SREM', KEYS[3], ARGV[4])
redis.call('PEXPIRE', KEYS[4], ARGV[5])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1`,
  4,
);

/** KEYS: epoch counter; ARGV: epoch. Raises the counter to `epoch` if it is lower (never lowers it). */
const RAISE_EPOCH = new LuaScript(
  `redis.replicate_commands()
${startEpochs("KEYS[1]")}
local current = tonumber(redis.call('GET', KEYS[1]))
if current < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1]) end
return 0`,
  1,
);

/**
 * The leases of a cluster's objects in Redis: acquire (set-if-absent, the epoch from a counter), release
 * (compare-and-set: only the holding in force is touched) and read. A lease has no expiry of its own: it
 * is in force while its holder is a live member (see MemberRegistry), whose one heartbeat keeps all its
 * leases, so an idle object costs nothing. A Redis without persistence forgets its counters when it
 * restarts: a counter starts again at the server's time in milliseconds, above the epochs counted
 * before; members also raise it with the epochs they know (raiseEpoch) and pass their own as the floor
 * when they acquire, so epochs never go back even when the server's clock does.
 */
export class LeaseStore {
  /**
   * @param keepMs how long an object's stored state lasts after its lease ends (for the next holder)
   */
  constructor(
    private readonly redis: Redis,
    private readonly keys: ClusterKeys = new ClusterKeys(),
    private readonly keepMs: number = DEFAULT_LEASE_TTL_MS * STATE_KEPT_LEASES,
  ) {}

  /**
   * Takes `objectKey`'s lease for `holder`, a live member, if nobody holds it (or its holder is gone)
   * and no other live candidate (see InterestBoard) is better placed to expose it, with an epoch above
   * `floorEpoch` (the highest the caller knows of). Resolves with the holding in force (the caller's when
   * it got the lease), or undefined when the lease is free but left to a better placed candidate (or the
   * holder is not live).
   */
  async acquire(objectKey: string, holder: string, floorEpoch: number): Promise<LeaseHolding | undefined> {
    const keys = [...this.electionKeys(objectKey), this.keys.held(holder)];
    return parseHolding(await ACQUIRE.run(this.redis, keys, [holder, floorEpoch, objectKey]));
  }

  /**
   * Whether `holder`, holding `objectKey`'s lease, should hand it over: another live candidate is less
   * loaded for its capacity by more than the rebalance threshold (the exchange's REBALANCE_THRESHOLD).
   */
  async overloaded(objectKey: string, holder: string): Promise<boolean> {
    return (await OVERLOADED.run(this.redis, this.electionKeys(objectKey), [holder, REBALANCE_THRESHOLD])) === 1;
  }

  /** Sets how many leases `holder` holds (counted up and down by acquire and release; set again to correct drift). */
  async setLoad(holder: string, leases: number): Promise<void> {
    await this.redis.hset(this.keys.loads, holder, leases);
  }

  /** Ends `holding` so another member may acquire at once; false when it was not in force any more. */
  async release(objectKey: string, holding: LeaseHolding): Promise<boolean> {
    const keys = [this.keys.lease(objectKey), this.keys.loads, this.keys.held(holding.holder), this.keys.state(objectKey)];
    return (await RELEASE.run(this.redis, keys, [leaseValue(holding), holding.holder, this.keys.interestChannel, objectKey, this.keepMs])) === 1;
  }

  /** The lease stored for `objectKey` (whether its holder is live or not), or undefined when there is none. */
  async holding(objectKey: string): Promise<LeaseHolding | undefined> {
    return parseHolding(await this.redis.get(this.keys.lease(objectKey)));
  }

  /** The keys an election of `objectKey` reads: its lease, epoch counter, candidates' capacities, the loads and the members. */
  private electionKeys(objectKey: string): string[] {
    const keys = this.keys;
    return [keys.lease(objectKey), keys.epoch(objectKey), keys.capacities(objectKey), keys.loads, keys.members];
  }

  /** Makes sure the next lease of `objectKey` takes an epoch above `epoch` (one this member has seen). */
  async raiseEpoch(objectKey: string, epoch: number): Promise<void> {
    await RAISE_EPOCH.run(this.redis, [this.keys.epoch(objectKey)], [epoch]);
  }
}

/** The lease's value in Redis for `holding` (`EPOCH HOLDER`): what scripts compare to act only for the holding in force. */
export function leaseValue(holding: LeaseHolding): string {
  return `${holding.epoch} ${holding.holder}`;
}

/** The holding a lease value (`EPOCH HOLDER`) names; undefined for no value. */
export function parseHolding(value: unknown): LeaseHolding | undefined {
  if (typeof value !== "string" || value === "") return undefined;
  const space = value.indexOf(" ");
  return { epoch: Number(value.slice(0, space)), holder: value.slice(space + 1) };
}
