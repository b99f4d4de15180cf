import { numberText } from '../commands/key-slot.js';
import { ReplyError } from '../errors/reply.error.js';
import type { RedisArgument, RespMap, RespValue } from '../resp/types.js';

/*
 * Pure helpers of the client-side cache: the text form of a Redis key used to match
 * invalidations, and copies of replies so callers cannot corrupt cached values.
 */

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
