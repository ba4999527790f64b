/** Lua: `holderOf(value)`, the member a lease value names (`EPOCH HOLDER`, see leaseValue). */
export const HOLDER_OF = `local function holderOf(value) return string.sub(value, string.find(value, ' ') + 1) end`;
