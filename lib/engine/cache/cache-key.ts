import { numberText } from '../commands/key-slot.js';
import { ReplyError } from '../errors/reply.error.js';
import type { RedisArgument, RespMap, RespValue } from '../resp/types.js';

/*
 * Pure helpers of the client-side cache: the cache key of a call, the text form of a Redis key
 * used to match invalidations, and copies of replies so callers cannot corrupt cached values.
 */

/**
 * The cache key of a call: the reply mode, then every argument as `<length>:<text>` (strings and
 * numbers) or `#<length>:<latin1 bytes>` (Buffers). Binary-safe and unambiguous: no two different
 * argvs (or reply modes) share a key. A string and a Buffer with the same bytes get different
 * keys (a duplicate entry, never a wrong reply). @internal
 */
export function cacheKeyOf(argv: readonly RedisArgument[], buffers: boolean): string {
  let key = buffers ? 'b' : 's';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (typeof arg === 'string') key += arg.length + ':' + arg;
    else if (typeof arg === 'number') {
      const text = numberText(arg);
      key += text.length + ':' + text;
    } else key += '#' + arg.length + ':' + arg.toString('latin1');
  }
  return key;
}

const LONE_SURROGATE = /[\uD800-\uDFFF]/;

/**
 * A Redis key as text, the way an invalidation push names it: the UTF-8 decoding of its bytes.
 * Keys that are not valid UTF-8 decode lossily, so two such keys may share a text: an invalidation
 * of one then also drops the other (harmless), never the reverse. @internal
 */
export function redisKeyText(key: RedisArgument | RespValue): string {
  if (typeof key === 'string') return LONE_SURROGATE.test(key) ? Buffer.from(key).toString('utf8') : key;
  if (typeof key === 'number') return numberText(key);
  if (Buffer.isBuffer(key)) return key.toString('utf8');
  return String(key);
}

/**
 * A deep copy of a reply: arrays, null-prototype maps and Buffers are copied; strings, numbers,
 * bigints, booleans and null are immutable and shared. @internal
 */
export function copyReply(value: RespValue): RespValue {
  if (value === null || typeof value !== 'object') return value;
  if (Buffer.isBuffer(value)) return Buffer.from(value);
  if (Array.isArray(value)) {
    const out = new Array<RespValue>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copyReply(value[i]!);
    return out;
  }
  if (value instanceof ReplyError) return value;
  const out = Object.create(null) as RespMap;
  for (const field of Object.keys(value)) out[field] = copyReply(value[field]!);
  return out;
}

/** True for replies a caller cannot mutate (no copy needed on a hit). @internal */
export function isImmutableReply(value: RespValue): boolean {
  return value === null || typeof value !== 'object';
}
