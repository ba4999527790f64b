import type { Redis } from "ioredis";
import type { ClusterKeys } from "./cluster-keys.js";
import { HOLDER_OF } from "./holder-of.js";
import { type LeaseHolding, leaseValue } from "./lease-store.js";
import { LuaScript } from "./lua-script.js";
import { liveMembers } from "./member-registry.js";

/**
 * KEYS: lease, state, members; ARGV: the holding's value, the message, the object's channel, the stored
 * state. Publishes the message and stores the state only while that holding is in force and its holder
 * is a live member: a former holder (paused past its heartbeat, cut off) can neither overwrite the
 * latest state nor reach subscribers. The stored state has no expiry while its lease is in force.
 */
const PUBLISH = new LuaScript(
  `${liveMembers("KEYS[3]")}
${HOLDER_OF}
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if not alive(holderOf(ARGV[1])) then return 0 end
redis.call('SET', KEYS[2], ARGV[4])
redis.call('PUBLISH', ARGV[3], ARGV[2])
return 1`,
  3,
);

/** Bytes before the state in a frame: the holding's epoch (float64) and the message's number in it (uint32). */
const HEADER_BYTES = 12;

/**
 * A state on its way through Redis, as a frame: which holding sent it (its epoch) and its number among
 * that holding's messages, then the state in the compact state wire. The number lets a follower see a
 * lost message (pub/sub is at most once) and resync from the stored state instead of applying a diff to
 * the wrong base.
 */
export interface StateFrame {
  readonly epoch: number;
  readonly seq: number;
  readonly wire: Uint8Array;
}

/** `frame` as bytes. */
export function encodeFrame(frame: StateFrame): Buffer {
  const bytes = Buffer.allocUnsafe(HEADER_BYTES + frame.wire.length);
  bytes.writeDoubleBE(frame.epoch, 0);
  bytes.writeUInt32BE(frame.seq, 8);
  bytes.set(frame.wire, HEADER_BYTES);
  return bytes;
}

/** The frame `bytes` hold, or undefined when they are too short to hold one. */
export function decodeFrame(bytes: Buffer): StateFrame | undefined {
  if (bytes.length <= HEADER_BYTES) return undefined;
  return { epoch: bytes.readDoubleBE(0), seq: bytes.readUInt32BE(8), wire: bytes.subarray(HEADER_BYTES) };
}

/**
 * The states of a cluster's objects in Redis: the lease holder publishes each update once on the
 * object's channel (a diff when it pays) and stores the state in full as the object's latest; members
 * that start observing later, or that missed a message, read the stored one. The stored state stays
 * while its lease is in force and a while after it ends (see LeaseStore.release, MemberRegistry).
 */
export class StateStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: ClusterKeys,
  ) {}

  /**
   * Publishes `message` and stores `full` (frames of the same state) for `holding`; false when that
   * holding is not in force any more.
   */
  async publish(objectKey: string, holding: LeaseHolding, message: StateFrame, full: StateFrame): Promise<boolean> {
    const reply = await PUBLISH.run(
      this.redis,
      [this.keys.lease(objectKey), this.keys.state(objectKey), this.keys.members],
      [leaseValue(holding), encodeFrame(message), this.keys.stateChannel(objectKey), encodeFrame(full)],
    );
    return reply === 1;
  }

  /** The latest state stored for `objectKey` (in full), or undefined when there is none. */
  async latest(objectKey: string): Promise<StateFrame | undefined> {
    const bytes = await this.redis.getBuffer(this.keys.state(objectKey));
    return bytes === null ? undefined : decodeFrame(bytes);
  }
}
