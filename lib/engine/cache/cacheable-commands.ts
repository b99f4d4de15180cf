import type { CommandInfo } from '../commands/command-info.js';

/**
 * Commands whose replies may be cached. Derived from node-redis (the `CACHEABLE` flags of 5.x–6.1,
 * and 6.2's rule: `readonly`, at least one key, no `dont_cache`/`nondeterministic_output` tip,
 * not `blocking`, not a script runner), restricted to commands whose reply depends only on the
 * values of their declared keys, so that key-based tracking invalidates every stale entry.
 *
 * Left out on purpose:
 * - XPENDING (node-redis ≤ 6.1 has it): its extended form reports idle times that grow without
 *   any write; XINFO likewise.
 * - SORT_RO: BY/GET patterns read keys that are not declared, hence not tracked.
 * - TOUCH (flagged readonly, but it only updates LRU/LFU data), TTL/PTTL/OBJECT (time-dependent),
 *   SRANDMEMBER/HRANDFIELD/ZRANDMEMBER (random), script runners, XREAD (blocking form).
 * @internal
 */
export const CACHEABLE_COMMANDS: ReadonlySet<string> = new Set([
  // strings and bits
  'GET', 'GETRANGE', 'SUBSTR', 'STRLEN', 'MGET', 'LCS', 'GETBIT', 'BITCOUNT', 'BITPOS', 'BITFIELD_RO',
  // keys
  'EXISTS', 'TYPE', 'EXPIRETIME', 'PEXPIRETIME',
  // hashes
  'HGET', 'HMGET', 'HGETALL', 'HEXISTS', 'HLEN', 'HKEYS', 'HVALS', 'HSTRLEN',
  // lists
  'LINDEX', 'LLEN', 'LPOS', 'LRANGE',
  // sets
  'SCARD', 'SISMEMBER', 'SMISMEMBER', 'SMEMBERS', 'SDIFF', 'SINTER', 'SINTERCARD', 'SUNION',
  // sorted sets
  'ZCARD', 'ZCOUNT', 'ZLEXCOUNT', 'ZSCORE', 'ZMSCORE', 'ZRANK', 'ZREVRANK', 'ZRANGE', 'ZRANGEBYLEX',
  'ZRANGEBYSCORE', 'ZREVRANGE', 'ZREVRANGEBYLEX', 'ZREVRANGEBYSCORE', 'ZDIFF', 'ZINTER', 'ZINTERCARD', 'ZUNION',
  // geo
  'GEODIST', 'GEOHASH', 'GEOPOS', 'GEORADIUS_RO', 'GEORADIUSBYMEMBER_RO', 'GEOSEARCH',
  // streams
  'XLEN', 'XRANGE', 'XREVRANGE',
  // hyperloglog (PFCOUNT may rewrite its cached cardinality; the server then invalidates it)
  'PFCOUNT',
]);

/**
 * Whether one call may be served from, and stored in, the client-side cache: a known read-only,
 * non-blocking command from {@link CACHEABLE_COMMANDS} with at least one key (the executor has
 * already checked that all keys share one slot). @internal
 */
export function isCacheableCall(info: CommandInfo): boolean {
  return (
    CACHEABLE_COMMANDS.has(info.name) &&
    info.subcommand === undefined &&
    info.known &&
    info.readOnly &&
    !info.blocking &&
    !info.write &&
    info.keys.length > 0
  );
}
