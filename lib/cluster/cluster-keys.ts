/** The prefix of a cluster's keys and channels in Redis unless configured. */
export const DEFAULT_KEY_PREFIX = "hakuban:";

/**
 * The names of a cluster's keys and channels in Redis, all under one prefix so that several clusters
 * (or other programs) can share one Redis. Objects are named by their canonical key.
 */
export class ClusterKeys {
  /** The channel every member listens on for "an object's interest or lease changed" (its key as the message). */
  readonly interestChannel: string;

  /** How many leases each member holds (a hash by member id): its load, for balancing. */
  readonly loads: string;
  /** The live members: a sorted set scored by when each one's heartbeat expires. */
  readonly members: string;
  /** The channel every member listens on for "a member is gone" (its id as the message). */
  readonly memberChannel: string;
  /** The channel every member listens on for "an object was newly listed under a tag" (the tag's key as the message). */
  readonly tagChannel: string;

  constructor(readonly prefix: string = DEFAULT_KEY_PREFIX) {
    this.interestChannel = `${prefix}interest`;
    this.tagChannel = `${prefix}tags`;
    this.loads = `${prefix}loads`;
    this.members = `${prefix}members`;
    this.memberChannel = `${prefix}gone`;
  }

  /** The objects listed under a tag: a set of `OBJECT-KEY\nMEMBER` (a canonical key holds no line break), one per member naming it. */
  tagDirectory(tagKey: string): string {
    return `${this.prefix}tag:${tagKey}`;
  }

  /** The objects whose lease a member took (a set of object keys), cleared when the member is gone. */
  held(member: string): string {
    return `${this.prefix}held:${member}`;
  }

  /** The object's lease: `EPOCH HOLDER`, in force while its holder is a live member. */
  lease(objectKey: string): string {
    return `${this.prefix}lease:${objectKey}`;
  }

  /** The object's epoch counter: the last fencing epoch a lease of it took. */
  epoch(objectKey: string): string {
    return `${this.prefix}epoch:${objectKey}`;
  }

  /** The object's latest state in full, for members that start observing it or missed messages. */
  state(objectKey: string): string {
    return `${this.prefix}state:${objectKey}`;
  }

  /** The members whose subtrees observe the object (a set; entries of members that are gone do not count). */
  observers(objectKey: string): string {
    return `${this.prefix}observers:${objectKey}`;
  }

  /** The members whose subtrees can expose the object, with each one's capacity for it (a hash by member id). */
  capacities(objectKey: string): string {
    return `${this.prefix}capacities:${objectKey}`;
  }

  /** The channel the object's states are published on, once per update. */
  stateChannel(objectKey: string): string {
    return `${this.prefix}states:${objectKey}`;
  }
}
