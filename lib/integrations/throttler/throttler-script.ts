import { createHash } from 'node:crypto';
import { defineScript, type RedisScript } from '../../engine/cluster/script.js';

/**
 * One hit, atomically (KEYS[1] = hit counter, KEYS[2] = block marker, same slot; ARGV = ttl ms, limit, block ms):
 * - blocked (the marker lives): nothing is counted; returns the hits that caused the block and the block's time left;
 * - otherwise INCR the window's counter (its TTL set to `ttl` when it starts); over `limit`, start a block of
 *   `block` ms that remembers the hit count, and drop the counter so a fresh window follows the block.
 * Returns { totalHits, window ms left, blocked 0/1, block ms left }.
 */
export const THROTTLER_SCRIPT: RedisScript = defineScript(`
local ttl = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local block = tonumber(ARGV[3])
local blockLeft = redis.call('PTTL', KEYS[2])
if blockLeft > 0 then
  local hits = tonumber(redis.call('GET', KEYS[2])) or (limit + 1)
  return { hits, blockLeft, 1, blockLeft }
end
local hits = redis.call('INCR', KEYS[1])
local left = redis.call('PTTL', KEYS[1])
if left < 0 then
  redis.call('PEXPIRE', KEYS[1], ttl)
  left = ttl
end
if hits > limit then
  if block > 0 then
    redis.call('SET', KEYS[2], hits, 'PX', block)
    redis.call('DEL', KEYS[1])
    return { hits, block, 1, block }
  end
  return { hits, left, 1, left }
end
return { hits, left, 0, 0 }
`);

/**
 * The two keys of one (throttler, tracker key) pair: `<prefix>{<tag>}:hits` and `<prefix>{<tag>}:block`, sharing one
 * hash tag so the script's keys are in one slot. The tag is `<name length>:<name>:<key>`: the length prefix makes it
 * injective (name `a:b` with key `c` and name `a` with key `b:c` differ). A tag that holds `{` or `}` (which would end
 * the tag early or make it empty) is replaced by its SHA-1 (40 hex digits, never a `:`), so any key and throttler name
 * are safe. `prefix` must not contain `{` or `}`.
 */
export function throttlerKeys(prefix: string, throttlerName: string, key: string): [hits: string, block: string] {
  const raw = `${throttlerName.length}:${throttlerName}:${key}`;
  const tag = /[{}]/.test(raw) ? createHash('sha1').update(raw).digest('hex') : raw;
  return [`${prefix}{${tag}}:hits`, `${prefix}{${tag}}:block`];
}
