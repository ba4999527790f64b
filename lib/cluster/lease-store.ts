import type { Redis } from "ioredis";
import { ClusterKeys } from "./cluster-keys.js";
import { LuaScript } from "./lua-script.js";
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
 * How long an object's stored state outlasts its holder's last renewal, in lease times: a member that
 * takes the object over after the holder died still finds it.
 */
export const STATE_KEPT_LEASES = 4;

/** How long a lease lasts without renewal unless configured: long enough to ride out a short stall, short enough for a quick failover. */
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
 * Lua: the best placed of the live candidates of an object (KEYS[3], scored by expiry), by their
 * capacities for it (KEYS[4]) and their loads (KEYS[5]): the one whose load per capacity would stay
 * lowest with one more object, ties to the lowest id (as the exchange's election does). Sets `best`.
 */
const BEST_CANDIDATE = `local time = redis.call('TIME')
local now = time[1] * 1000 + math.floor(time[2] / 1000)
local best, bestScore = nil, nil
for _, member in ipairs(redis.call('ZRANGEBYSCORE', KEYS[3], '(' .. now, '+inf')) do
  local capacity = tonumber(redis.call('HGET', KEYS[4], member) or '0')
  if capacity > 0 then
    local score = (tonumber(redis.call('HGET', KEYS[5], member) or '0') + 1) / capacity
    if best == nil or score < bestScore or (score == bestScore and member < best) then best, bestScore = member, score end
  end
end`;

/**
 * KEYS: lease, epoch counter, candidates, capacities, loads; ARGV: holder, ttl, floor. Takes the lease
 * when nobody holds it and the holder is the best placed candidate (or none is listed), with an epoch
 * from the counter raised past `floor`, and counts it in the holder's load. Answers the holding in force,
 * or '' when the lease is free but another candidate is better placed.
 */
const ACQUIRE = new LuaScript(
  `redis.replicate_commands()
local held = redis.call('GET', KEYS[1])
if held then return held end
${BEST_CANDIDATE}
if best ~= nil and best ~= ARGV[1] then return '' end
${startEpochs("KEYS[2]")}
local epoch = redis.call('INCR', KEYS[2])
local floor = tonumber(ARGV[3])
if epoch <= floor then
  epoch = floor + 1
  redis.call('SET', KEYS[2], epoch)
end
local value = epoch .. ' ' .. ARGV[1]
redis.call('SET', KEYS[1], value, 'NX', 'PX', ARGV[2])
redis.call('HINCRBY', KEYS[5], ARGV[1], 1)
return value`,
  5,
);

/**
 * KEYS: -, -, candidates, capacities, loads; ARGV: holder, threshold. Whether the holder should hand the
 * object over: its load per capacity passes the best placed other candidate's (with one more object) by
 * more than the threshold, as a move in the exchange's election does.
 */
const OVERLOADED = new LuaScript(
  `redis.replicate_commands()
local capacity = tonumber(redis.call('HGET', KEYS[4], ARGV[1]) or '0')
if capacity <= 0 then return 0 end
local load = tonumber(redis.call('HGET', KEYS[5], ARGV[1]) or '0') / capacity
${BEST_CANDIDATE.replace("if capacity > 0 then", "if capacity > 0 and member ~= ARGV[1] then")}
if best ~= nil and load > bestScore * (1 + tonumber(ARGV[2])) then return 1 end
return 0`,
  5,
);

/**
 * KEYS: lease, stored state; ARGV: the holding's value, ttl, how long the stored state lasts. Extends
 * the lease only while that holding is still in force, and the object's stored state with it (a state
 * that does not change stays there for members that start observing later).
 */
const RENEW = new LuaScript(
  `if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[2], ARGV[3])
return redis.call('PEXPIRE', KEYS[1], ARGV[2])`,
  2,
);

/**
 * KEYS: lease, loads; ARGV: the holding's value, its holder, the interest channel, the object's key.
 * Ends the lease only while that holding is still in force, takes it off the holder's load, and tells
 * the members on the interest channel, so a candidate takes the object over at once.
 */
const RELEASE = new LuaScript(
  `if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('HINCRBY', KEYS[2], ARGV[2], -1)
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1`,
  2,
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
 * The leases of a cluster's objects in Redis: acquire (set-if-absent with an expiry, the epoch from a
 * counter), renew and release (compare-and-set scripts: only the holding in force is touched), and read.
 * A Redis without persistence forgets its counters when it restarts: a counter starts again at the
 * server's time in milliseconds, above the epochs counted before; members also raise it with the epochs
 * they know (raiseEpoch) and pass their own as the floor when they acquire, so epochs never go back even
 * when the server's clock does.
 */
export class LeaseStore {
  /**
   * @param ttlMs how long a lease lasts unless its holder renews it, in milliseconds
   */
  constructor(
    private readonly redis: Redis,
    private readonly keys: ClusterKeys = new ClusterKeys(),
    readonly ttlMs: number = DEFAULT_LEASE_TTL_MS,
  ) {}

  /**
   * Takes `objectKey`'s lease for `holder` if nobody holds it and no other live candidate (see
   * InterestBoard) is better placed to expose it, with an epoch above `floorEpoch` (the highest the
   * caller knows of). Resolves with the holding in force (the caller's when it got the lease), or
   * undefined when the lease is free but left to a better placed candidate.
   */
  async acquire(objectKey: string, holder: string, floorEpoch: number): Promise<LeaseHolding | undefined> {
    return parseHolding(await ACQUIRE.run(this.redis, this.electionKeys(objectKey), [holder, this.ttlMs, floorEpoch]));
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

  /**
   * Extends `holding` by a full lease time, and the object's stored state by STATE_KEPT_LEASES of them;
   * false when the holding is not in force any more (expired, taken over).
   */
  async renew(objectKey: string, holding: LeaseHolding): Promise<boolean> {
    const keys = [this.keys.lease(objectKey), this.keys.state(objectKey)];
    return (await RENEW.run(this.redis, keys, [leaseValue(holding), this.ttlMs, this.ttlMs * STATE_KEPT_LEASES])) === 1;
  }

  /** Ends `holding` so another member may acquire at once; false when it was not in force any more. */
  async release(objectKey: string, holding: LeaseHolding): Promise<boolean> {
    return (await RELEASE.run(this.redis, [this.keys.lease(objectKey), this.keys.loads], [leaseValue(holding), holding.holder, this.keys.interestChannel, objectKey])) === 1;
  }

  /** The holding in force for `objectKey`, or undefined when nobody holds its lease. */
  async holding(objectKey: string): Promise<LeaseHolding | undefined> {
    return parseHolding(await this.redis.get(this.keys.lease(objectKey)));
  }

  /** The keys an election of `objectKey` reads: its lease, epoch counter, candidates and their capacities, and the loads. */
  private electionKeys(objectKey: string): string[] {
    const keys = this.keys;
    return [keys.lease(objectKey), keys.epoch(objectKey), keys.candidates(objectKey), keys.capacities(objectKey), keys.loads];
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
