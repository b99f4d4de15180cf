import { randomBytes } from 'node:crypto';
import type { CacheSerializer } from '../interfaces/cache-options.interface.js';

/**
 * What a cache key holds. Every stored string starts with a one-character kind and a 16-character
 * random generation, then (for values) the serialized value:
 * - `v<gen><serialized>`: a value (every stored value is a hit, including `null`, `0`, `''`, `false`);
 * - `u<gen>`: `undefined` (which JSON-like serializers cannot represent);
 * - `x<gen>`: a tombstone left by an evict: a miss, but one that a load started before it can
 *   tell apart from "absent" (the conditional write compares the head it saw at load start).
 * A missing key (GET → nil) is a miss too.
 * @internal
 */
export const KIND_VALUE = 'v';
/** @internal */
export const KIND_UNDEFINED = 'u';
/** @internal */
export const KIND_TOMBSTONE = 'x';
/** Length of an entry's head (kind + generation). @internal */
export const HEAD_LENGTH = 17;

/** A fresh random generation (12 random bytes, base64url: 16 characters). @internal */
export function newGeneration(): string {
  return randomBytes(12).toString('base64url');
}

/** A decoded GET reply. `seen` is the head to compare at write time ('' = the key was absent). @internal */
export type DecodedEntry<T> = { readonly hit: true; readonly value: T } | { readonly hit: false; readonly seen: string | undefined };

/** @internal */
export function encodeEntry(value: unknown, serializer: CacheSerializer, generation = newGeneration()): string {
  if (value === undefined) return KIND_UNDEFINED + generation;
  const text = serializer.serialize(value);
  if (typeof text !== 'string') throw new TypeError('the cache serializer did not return a string');
  return KIND_VALUE + generation + text;
}

/** A tombstone string. @internal */
export function tombstone(generation = newGeneration()): string {
  return KIND_TOMBSTONE + generation;
}

/**
 * Decodes a GET reply. A miss carries `seen`: '' for an absent key, the head of a tombstone, or
 * undefined for a string this module did not write (never overwritten by a conditional write).
 * Throws when a value entry cannot be deserialized.
 * @internal
 */
export function decodeEntry<T>(raw: unknown, serializer: CacheSerializer): DecodedEntry<T> {
  if (raw === null || raw === undefined) return { hit: false, seen: '' };
  const text = typeof raw === 'string' ? raw : Buffer.isBuffer(raw) ? raw.toString('utf8') : undefined;
  if (text === undefined || text.length < HEAD_LENGTH) return { hit: false, seen: undefined };
  switch (text[0]) {
    case KIND_VALUE:
      return { hit: true, value: serializer.deserialize(text.slice(HEAD_LENGTH)) as T };
    case KIND_UNDEFINED:
      return text.length === HEAD_LENGTH ? { hit: true, value: undefined as T } : { hit: false, seen: undefined };
    case KIND_TOMBSTONE:
      return text.length === HEAD_LENGTH ? { hit: false, seen: text } : { hit: false, seen: undefined };
    default:
      return { hit: false, seen: undefined };
  }
}

/** The head of a stored string as GETRANGE 0..16 returns it ('' when absent). @internal */
export function headOf(raw: unknown): string | undefined {
  if (raw === null || raw === undefined || raw === '') return '';
  const text = typeof raw === 'string' ? raw : Buffer.isBuffer(raw) ? raw.toString('utf8') : undefined;
  if (text === undefined || text.length !== HEAD_LENGTH || !'vux'.includes(text[0]!)) return undefined;
  return text;
}
