import type { Redis } from "ioredis";
import { DEFAULT_FORMAT, type ObjectState } from "../state/object-state.js";
import { PathTable } from "../sync/wire/path-dictionary.js";
import { decodeState, encodeFull } from "../sync/wire/state-codec.js";
import type { ClusterKeys } from "./cluster-keys.js";
import { type LeaseHolding, leaseValue } from "./lease-store.js";
import { LuaScript } from "./lua-script.js";

/**
 * KEYS: lease, state; ARGV: the holding's value, the state's bytes, the object's channel, how long the
 * stored state lasts. Stores and publishes the state only while that holding is in force: a former
 * holder (paused past its lease, cut off) can neither overwrite the latest state nor reach subscribers.
 */
const STORE = new LuaScript(
  `if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2], 'PX', ARGV[4])
redis.call('PUBLISH', ARGV[3], ARGV[2])
return 1`,
  2,
);

/**
 * The states of a cluster's objects in Redis: the lease holder publishes each new state once on the
 * object's channel and stores it as the object's latest, in the compact state wire (in full); members
 * that start observing later, or reconnect after messages may have been lost (pub/sub is at most once),
 * read the stored one. The stored state outlives its holder's lease by `keepMs`, so a member that takes
 * the object over right after the holder's death still finds it.
 */
export class StateStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: ClusterKeys,
    private readonly keepMs: number,
  ) {}

  /** Stores and publishes `state` for `holding`; false when that holding is not in force any more. */
  async publish(objectKey: string, holding: LeaseHolding, state: ObjectState<unknown>): Promise<boolean> {
    const bytes = Buffer.from(encodeFull(state));
    const reply = await STORE.run(this.redis, [this.keys.lease(objectKey), this.keys.state(objectKey)], [leaseValue(holding), bytes, this.keys.stateChannel(objectKey), this.keepMs]);
    return reply === 1;
  }

  /** The latest state stored for `objectKey`, or undefined when there is none (or it does not decode). */
  async latest(objectKey: string): Promise<ObjectState<unknown> | undefined> {
    const bytes = await this.redis.getBuffer(this.keys.state(objectKey));
    return bytes === null ? undefined : decodeClusterState(bytes, objectKey);
  }
}

/**
 * The state `bytes` (a full state of the compact state wire, as StateStore writes them) hold, or
 * undefined when they hold none: what a member takes from the object's channel or the stored state.
 */
export function decodeClusterState(bytes: Uint8Array, objectKey: string): ObjectState<unknown> | undefined {
  let decoded;
  try {
    decoded = decodeState(bytes, undefined, new PathTable(), { toString: () => `the cluster's state of ${objectKey}` });
  } catch {
    return undefined;
  }
  if (decoded === undefined || decoded.d === undefined) return undefined;
  const { v: version, f, d: data, s: synchronized, e } = decoded;
  const format = f ?? DEFAULT_FORMAT;
  return e === undefined ? { version, format, data, synchronized } : { version, format, data, synchronized, epoch: e };
}
