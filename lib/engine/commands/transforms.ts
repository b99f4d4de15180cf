import { ReplyError } from '../errors/reply.error.js';
import type { RedisArgument, RespMap, RespValue } from '../resp/types.js';

/*
 * Small pure reply helpers shared by the command families. Every helper accepts both the RESP2 and
 * the RESP3 form of a reply: RESP3 maps arrive as null-prototype objects where RESP2 sends flat
 * `[k, v, k, v]` arrays, and RESP3 doubles arrive as numbers where RESP2 sends bulk strings.
 * Objects built here have a null prototype too, so a field named `__proto__` stays a field.
 */

const identity = (reply: RespValue): RespValue => reply;

/**
 * Typed pass-through for replies whose decoded form already is the documented shape in both
 * protocols (strings, integers, `OK`, null, arrays of those). Always the same function instance.
 */
export function passThrough<R>(): (reply: RespValue) => R {
  return identity as unknown as (reply: RespValue) => R;
}

/** The shared pass-through function (compare `def.transform === PASS_THROUGH` to skip calling it). */
export const PASS_THROUGH: (reply: RespValue) => RespValue = identity;

/** A RESP3 map (decoded as a plain null-prototype object). */
export function isRespMap(value: RespValue | undefined): value is RespMap {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !Buffer.isBuffer(value) &&
    !(value instanceof ReplyError)
  );
}

/** The reply as an array; throws a TypeError naming the expected shape otherwise. */
export function asArray(value: RespValue | undefined, what = 'reply'): RespValue[] {
  if (Array.isArray(value)) return value;
  throw new TypeError(`Unexpected ${what}: expected an array, got ${describe(value)}`);
}

function describe(value: RespValue | undefined): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (Buffer.isBuffer(value)) return 'a Buffer';
  return typeof value;
}

/** Text of a scalar reply (Buffers decoded as UTF-8, numbers in decimal); null/undefined → ''. */
export function text(value: RespValue | undefined): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  if (Buffer.isBuffer(value)) return value.toString();
  return String(value);
}

/** Text or null. */
export function nullableText(value: RespValue | undefined): string | null {
  return value === null || value === undefined ? null : text(value);
}

/** An integer reply (RESP2/RESP3 `:`), tolerating a decimal string or bigint. */
export function integer(value: RespValue | undefined): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  return Number(text(value));
}

/** An integer reply or null. */
export function nullableInteger(value: RespValue | undefined): number | null {
  return value === null || value === undefined ? null : integer(value);
}

/**
 * A double: a RESP3 double (already a number) or a RESP2 bulk string, including `inf`, `+inf`,
 * `-inf` and `nan` in any case.
 */
export function double(value: RespValue | undefined): number {
  if (typeof value === 'number') return value;
  const s = text(value);
  switch (s.toLowerCase()) {
    case 'inf':
    case '+inf':
      return Infinity;
    case '-inf':
      return -Infinity;
    case 'nan':
      return NaN;
    default:
      return Number(s);
  }
}

/** A double or null (e.g. ZSCORE of a missing member). */
export function nullableDouble(value: RespValue | undefined): number | null {
  return value === null || value === undefined ? null : double(value);
}

/** An array of doubles or nulls (ZMSCORE). */
export function nullableDoubles(value: RespValue): Array<number | null> {
  return asArray(value).map(nullableDouble);
}

/** A double argument: ±Infinity as `+inf`/`-inf`, other numbers in decimal; text passes through. */
export function doubleArgument(value: RedisArgument): RedisArgument {
  if (typeof value !== 'number') return value;
  if (value === Infinity) return '+inf';
  if (value === -Infinity) return '-inf';
  return String(value);
}

/** Calls `fn` for each field/value pair of a RESP3 map or a RESP2 flat `[k, v, k, v]` array. */
export function forEachPair(value: RespValue, fn: (field: string, value: RespValue) => void): void {
  if (Array.isArray(value)) {
    for (let i = 0; i + 1 < value.length; i += 2) fn(text(value[i]), value[i + 1]!);
    return;
  }
  if (isRespMap(value)) {
    for (const field of Object.keys(value)) fn(field, value[field]!);
    return;
  }
  throw new TypeError(`Unexpected reply: expected a map or a flat array, got ${describe(value)}`);
}

/**
 * A map reply as a null-prototype object: RESP3 maps as they come, RESP2 flat arrays paired up.
 * `map` converts each value (identity by default).
 */
export function toObject<T = RespValue>(value: RespValue, map?: (value: RespValue) => T): Record<string, T> {
  if (map === undefined && isRespMap(value)) return value as Record<string, T>;
  const out = Object.create(null) as Record<string, T>;
  forEachPair(value, (field, v) => {
    out[field] = map ? map(v) : (v as T);
  });
  return out;
}

/** A string→string map reply (HGETALL, stream message bodies); null/missing → empty object. */
export function stringRecord(value: RespValue | undefined): Record<string, string> {
  if (value === null || value === undefined) return Object.create(null) as Record<string, string>;
  if (isRespMap(value)) return value as Record<string, string>;
  return toObject(value, text);
}

/** A sorted-set member with its score (reply shape). */
export interface ScoredMember {
  value: string;
  score: number;
}

/**
 * Members with scores: RESP2 flat `[m, s, m, s]` (scores as text) or RESP3 `[[m, s], …]`
 * (scores as doubles). Also accepts a flat RESP3 list (ZSCAN replies stay flat).
 */
export function sortedSetMembers(value: RespValue): ScoredMember[] {
  const items = asArray(value);
  const out: ScoredMember[] = [];
  if (items.length > 0 && Array.isArray(items[0])) {
    for (const pair of items) {
      const [member, score] = asArray(pair);
      out.push({ value: text(member), score: double(score) });
    }
    return out;
  }
  for (let i = 0; i + 1 < items.length; i += 2) {
    out.push({ value: text(items[i]), score: double(items[i + 1]) });
  }
  return out;
}

/** One member with its score from a flat `[m, s]` pair, or null when empty (ZPOPMIN without count). */
export function sortedSetMember(value: RespValue): ScoredMember | null {
  if (value === null) return null;
  const items = asArray(value);
  if (items.length === 0) return null;
  if (Array.isArray(items[0])) return sortedSetMembers(items)[0] ?? null;
  return { value: text(items[0]), score: double(items[1]) };
}

/** Field/value pairs: RESP2 flat `[f, v, f, v]` or RESP3 `[[f, v], …]` (HRANDFIELD … WITHVALUES). */
export function fieldValuePairs(value: RespValue): Array<{ field: string; value: string }> {
  const items = asArray(value);
  const out: Array<{ field: string; value: string }> = [];
  if (items.length > 0 && Array.isArray(items[0])) {
    for (const pair of items) {
      const [field, v] = asArray(pair);
      out.push({ field: text(field), value: text(v) });
    }
    return out;
  }
  for (let i = 0; i + 1 < items.length; i += 2) {
    out.push({ field: text(items[i]), value: text(items[i + 1]) });
  }
  return out;
}

/** A SCAN-family reply `[cursor, items]`, with the cursor as text. */
export function scanParts(value: RespValue): { cursor: string; items: RespValue[] } {
  const [cursor, items] = asArray(value);
  return { cursor: text(cursor), items: items === null || items === undefined ? [] : asArray(items) };
}

/** A stream entry. */
export interface StreamMessage {
  id: string;
  /**
   * The entry's fields. Empty when the entry was deleted while pending (XREADGROUP history,
   * XCLAIM), where the server sends a null body.
   */
  message: Record<string, string>;
  /** XREADGROUP … CLAIM (Redis 8.4+): milliseconds since the entry was last delivered. */
  millisElapsedFromDelivery?: number;
  /** XREADGROUP … CLAIM (Redis 8.4+): how many times the entry was delivered. */
  deliveriesCounter?: number;
}

/** One stream's entries in an XREAD/XREADGROUP reply. */
export interface StreamMessages {
  name: string;
  messages: StreamMessage[];
}

/** `[id, [f, v, …], elapsed?, deliveries?]` → StreamMessage. */
export function streamMessage(value: RespValue): StreamMessage {
  const [id, body, elapsed, deliveries] = asArray(value, 'stream entry');
  const out: StreamMessage = { id: text(id), message: stringRecord(body) };
  if (elapsed !== undefined && elapsed !== null) out.millisElapsedFromDelivery = integer(elapsed);
  if (deliveries !== undefined && deliveries !== null) out.deliveriesCounter = integer(deliveries);
  return out;
}

/** A stream entry, or null when the whole entry is null (XCLAIM/XAUTOCLAIM of deleted entries). */
export function nullableStreamMessage(value: RespValue): StreamMessage | null {
  return value === null ? null : streamMessage(value);
}

/** An array of stream entries (XRANGE, one stream of XREAD); null is read as no entries. */
export function streamMessages(value: RespValue): StreamMessage[] {
  if (value === null) return [];
  return asArray(value).map(streamMessage);
}

/**
 * XREAD/XREADGROUP: RESP2 `[[name, entries], …]` or RESP3 `{ name: entries }` →
 * `[{ name, messages }]`; null (timeout, nothing new) stays null.
 */
export function streamsMessages(value: RespValue): StreamMessages[] | null {
  if (value === null) return null;
  const out: StreamMessages[] = [];
  if (Array.isArray(value)) {
    for (const stream of value) {
      const [name, entries] = asArray(stream, 'stream');
      out.push({ name: text(name), messages: streamMessages(entries ?? null) });
    }
    return out;
  }
  forEachPair(value, (name, entries) => {
    out.push({ name, messages: streamMessages(entries) });
  });
  return out;
}

/** Picks a field from a map-shaped reply converted with {@link toObject}; undefined when absent. */
export function field(record: Record<string, RespValue>, name: string): RespValue | undefined {
  return Object.prototype.hasOwnProperty.call(record, name) ? record[name] : undefined;
}
