import type { CacheLookup, CacheSerializer } from '../interfaces/cache-options.interface.js';

/**
 * Stored entries carry a one-character envelope, so every stored value is a hit, including
 * `null`, `0`, `''`, `false` and `undefined` (which JSON cannot represent): `v` + the serialized
 * value, or `u` for `undefined`. A missing key (GET → nil) is the only miss.
 * @internal
 */
export const ENVELOPE_VALUE = 'v';
/** @internal */
export const ENVELOPE_UNDEFINED = 'u';

/** @internal */
export function encodeEntry(value: unknown, serializer: CacheSerializer): string {
  if (value === undefined) return ENVELOPE_UNDEFINED;
  const text = serializer.serialize(value);
  if (typeof text !== 'string') throw new TypeError('the cache serializer did not return a string');
  return ENVELOPE_VALUE + text;
}

/** Decodes a GET reply; throws on an entry not written by this module. @internal */
export function decodeEntry<T>(raw: unknown, serializer: CacheSerializer): CacheLookup<T> {
  if (raw === null || raw === undefined) return { hit: false };
  const text = typeof raw === 'string' ? raw : Buffer.isBuffer(raw) ? raw.toString('utf8') : undefined;
  if (text === undefined) throw new TypeError('the cache entry is not a string');
  if (text === ENVELOPE_UNDEFINED) return { hit: true, value: undefined as T };
  if (text.startsWith(ENVELOPE_VALUE)) return { hit: true, value: serializer.deserialize(text.slice(1)) as T };
  throw new TypeError('the cache entry was not written by RedisCacheService (unknown envelope)');
}
