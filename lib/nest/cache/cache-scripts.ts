import { defineScript } from '../../engine/cluster/script.js';

/**
 * Conditional write of one entry, atomic on the entry's node: writes ARGV[2] for ARGV[3] ms only
 * if the entry's head (kind + generation, 17 bytes) is still ARGV[1] ('' = the key was absent),
 * i.e. nothing (no evict, no other write) touched the key since the load started. On a mismatch,
 * writes the tombstone ARGV[4] for ARGV[5] ms when one is given (a @CachePut that lost a race
 * evicts rather than guessing which value is newer). Returns 1 written, 2 tombstoned, 0 skipped.
 * @internal
 */
export const CONDITIONAL_SET = defineScript(`
local cur = redis.call('GET', KEYS[1])
local ok
if ARGV[1] == '' then ok = not cur else ok = cur and string.sub(cur, 1, 17) == ARGV[1] end
if ok then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return 1
end
if ARGV[4] ~= '' then
  redis.call('SET', KEYS[1], ARGV[4], 'PX', ARGV[5])
  return 2
end
return 0
`);
