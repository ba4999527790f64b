import type { Redis } from "ioredis";
import type { ClusterKeys } from "./cluster-keys.js";
import { LuaScript } from "./lua-script.js";
import { liveMembers } from "./member-registry.js";

/**
 * KEYS: the object's tags' directories; ARGV: the entry (`OBJECT-KEY\nMEMBER`), add (1) or remove (0),
 * the tag channel, then the tags' keys. Lists (or unlists) the object under each tag for the member;
 * tells members on the tag channel of each directory that changed.
 */
const LIST = new LuaScript(
  `for i, key in ipairs(KEYS) do
  local changed
  if ARGV[2] == '1' then changed = redis.call('SADD', key, ARGV[1]) else changed = redis.call('SREM', key, ARGV[1]) end
  if changed == 1 then redis.call('PUBLISH', ARGV[3], ARGV[3 + i]) end
end
return 0`,
  -1,
);

/**
 * KEYS: a tag's directory, the members. Drops the entries of members that are gone and answers the keys
 * of the objects the others list (each once).
 */
const READ = new LuaScript(
  `${liveMembers("KEYS[2]")}
local seen, objects = {}, {}
for _, entry in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local split = string.find(entry, '\\n', 1, true)
  local object, member = string.sub(entry, 1, split - 1), string.sub(entry, split + 1)
  if not alive(member) then redis.call('SREM', KEYS[1], entry)
  elseif not seen[object] then
    seen[object] = true
    objects[#objects + 1] = object
  end
end
return objects`,
  2,
);

/**
 * Which objects carrying each tag exist somewhere in the cluster, so that a root whose subtree observes
 * or exposes the tag learns of objects contracted under another root (as a parent announces them to a
 * child). Only objects that a contract names (observed or exposed by descriptor) are listed, each by
 * every member whose subtree holds such a contract, while that member is live: an object nobody names
 * any more drops out when its last lister unlists it or is gone.
 */
export class TagDirectory {
  constructor(
    private readonly redis: Redis,
    private readonly keys: ClusterKeys,
  ) {}

  /** Lists `objectKey` under each of `tagKeys` for `member` (or takes that listing back when not `listed`). */
  async list(objectKey: string, member: string, tagKeys: readonly string[], listed = true): Promise<void> {
    if (tagKeys.length === 0) return;
    const keys = tagKeys.map((tag) => this.keys.tagDirectory(tag));
    await LIST.run(this.redis, keys, [`${objectKey}\n${member}`, listed ? "1" : "0", this.keys.tagChannel, ...tagKeys]);
  }

  /** The keys of the objects listed under `tagKey` by live members. */
  async objects(tagKey: string): Promise<readonly string[]> {
    return (await READ.run(this.redis, [this.keys.tagDirectory(tagKey), this.keys.members], [])) as string[];
  }
}
