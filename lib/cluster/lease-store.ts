import type { Redis } from "ioredis";
import { ClusterKeys } from "./cluster-keys.js";
import { LuaScript } from "./lua-script.js";

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


/** How long a lease lasts without renewal unless configured: long enough to ride out a short stall, short enough for a quick failover. */
export const DEFAULT_LEASE_TTL_MS = 5000;

/**
 * KEYS: lease, epoch counter; ARGV: holder, ttl, floor. Takes the lease when nobody holds it, with an
 * epoch from the counter raised past `floor`; answers the holding in force either way.
 */
const ACQUIRE = new LuaScript(
  `local held = redis.call('GET', KEYS[1])
if held then return held end
local epoch = redis.call('INCR', KEYS[2])
local floor = tonumber(ARGV[3])
if epoch <= floor then
  epoch = floor + 1
  redis.call('SET', KEYS[2], epoch)
end
local value = epoch .. ' ' .. ARGV[1]
redis.call('SET', KEYS[1], value, 'NX', 'PX', ARGV[2])
return value`,
  2,
);

/** KEYS: lease; ARGV: the holding's value, ttl. Extends the lease only while that holding is still in force. */
const RENEW = new LuaScript(
  `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`,
  1,
);

/** KEYS: lease; ARGV: the holding's value. Ends the lease only while that holding is still in force. */
const RELEASE = new LuaScript(
  `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`,
  1,
);

/** KEYS: epoch counter; ARGV: epoch. Raises the counter to `epoch` if it is lower (never lowers it). */
const RAISE_EPOCH = new LuaScript(
  `local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if current < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1]) end
return 0`,
  1,
);

/**
 * The leases of a cluster's objects in Redis: acquire (set-if-absent with an expiry, the epoch from a
 * counter), renew and release (compare-and-set scripts: only the holding in force is touched), and read.
 * A Redis without persistence forgets its counters when it restarts: members raise them again with the
 * epochs they know (raiseEpoch) and pass their own as the floor when they acquire, so epochs never go back.
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
   * Takes `objectKey`'s lease for `holder` if nobody holds it, with an epoch above `floorEpoch` (the
   * highest the caller knows of). Resolves with the holding in force: the caller's when it got the lease.
   */
  async acquire(objectKey: string, holder: string, floorEpoch: number): Promise<LeaseHolding> {
    const value = await ACQUIRE.run(this.redis, [this.keys.lease(objectKey), this.keys.epoch(objectKey)], [holder, this.ttlMs, floorEpoch]);
    return parseHolding(value)!;
  }

  /** Extends `holding` by a full lease time; false when it is not in force any more (expired, taken over). */
  async renew(objectKey: string, holding: LeaseHolding): Promise<boolean> {
    return (await RENEW.run(this.redis, [this.keys.lease(objectKey)], [leaseValue(holding), this.ttlMs])) === 1;
  }

  /** Ends `holding` so another member may acquire at once; false when it was not in force any more. */
  async release(objectKey: string, holding: LeaseHolding): Promise<boolean> {
    return (await RELEASE.run(this.redis, [this.keys.lease(objectKey)], [leaseValue(holding)])) === 1;
  }

  /** The holding in force for `objectKey`, or undefined when nobody holds its lease. */
  async holding(objectKey: string): Promise<LeaseHolding | undefined> {
    return parseHolding(await this.redis.get(this.keys.lease(objectKey)));
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
  if (typeof value !== "string") return undefined;
  const space = value.indexOf(" ");
  return { epoch: Number(value.slice(0, space)), holder: value.slice(space + 1) };
}
