import { defineCommand } from '../command-definition.js';
import type { RedisArgument } from '../../resp/types.js';
import { ArgumentError, describeArgumentKind } from '../../errors/base.error.js';
import { passThrough } from '../transforms.js';

// Hash field expiration (Redis 7.4+/8.0 HEXPIRE…HPERSIST, Redis 8.0 HGETEX/HSETEX/HGETDEL; Valkey 9.0 has all
// but HGETDEL). Names, arguments and reply shapes follow node-redis 5. Option objects are checked before anything
// is sent: a bad one makes `build` throw an ArgumentError (naming the command and the option, never the value),
// which the client turns into a rejected promise.

/** One hash field or several (at least one). */
export type HashFields = RedisArgument | readonly RedisArgument[];

/** HEXPIRE/HPEXPIRE/HEXPIREAT/HPEXPIREAT condition: set only if no TTL (NX), a TTL (XX), a later (GT) / earlier (LT) one. */
export type HashExpirationCondition = 'NX' | 'XX' | 'GT' | 'LT';

/**
 * Per-field result of HEXPIRE and friends (node-redis `HASH_EXPIRATION`): -2 no such field (or key), 0 the
 * condition was not met, 1 the expiration was set, 2 the field was deleted (a time in the past, or 0).
 */
export const HASH_EXPIRATION = {
  FIELD_NOT_EXISTS: -2,
  CONDITION_NOT_MET: 0,
  UPDATED: 1,
  DELETED: 2,
} as const;

/** One of {@link HASH_EXPIRATION}'s values. */
export type HashExpiration = (typeof HASH_EXPIRATION)[keyof typeof HASH_EXPIRATION];

/**
 * HGETEX options (node-redis `HGetExOptions`). `expiration`: `{ type: 'EX', value }` seconds, `'PX'` milliseconds,
 * `'EXAT'` / `'PXAT'` a Unix time in seconds / milliseconds (or a Date), or `'PERSIST'` to remove the fields' TTL.
 * Values must be finite integers. Default: no change to the TTL.
 */
export interface HGetExOptions {
  expiration?: { type: 'EX' | 'PX'; value: number } | { type: 'EXAT' | 'PXAT'; value: number | Date } | 'PERSIST' | { type: 'PERSIST' };
}

/**
 * HSETEX options (node-redis `HSetExOptions`). `expiration` as for HGETEX, or `'KEEPTTL'` to keep each field's TTL
 * (default: the fields get no TTL). `mode`: `'FNX'` set only if none of the fields exist, `'FXX'` only if all exist.
 */
export interface HSetExOptions {
  expiration?:
    | { type: 'EX' | 'PX'; value: number }
    | { type: 'EXAT' | 'PXAT'; value: number | Date }
    | { type: 'KEEPTTL' }
    | 'KEEPTTL';
  mode?: 'FNX' | 'FXX';
}

/** HSETEX fields: an object, a Map, `[[field, value], …]` or a flat `[field, value, …]` list (at least one pair). */
export type HSetExFields =
  | Record<string | number, RedisArgument>
  | Map<RedisArgument, RedisArgument>
  | ReadonlyArray<readonly [RedisArgument, RedisArgument]>
  | readonly RedisArgument[];

const INTEGER = 'a finite integer';
const CONDITIONS: ReadonlySet<string> = new Set(['NX', 'XX', 'GT', 'LT']);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** A finite integer (a Date becomes its Unix time in `unit`), or throws ArgumentError. */
function integerOption(command: string, position: string | number, value: unknown, unit?: 's' | 'ms'): number {
  let n = value;
  if (unit !== undefined && value instanceof Date) {
    const ms = value.getTime();
    n = unit === 's' ? Math.floor(ms / 1000) : ms;
  }
  if (typeof n !== 'number' || !Number.isInteger(n)) {
    throw new ArgumentError(command, position, unit ? `${INTEGER} or a valid Date` : INTEGER, describeArgumentKind(value));
  }
  return n;
}

function fieldList(command: string, fields: unknown, position: number): RedisArgument[] {
  if (Array.isArray(fields)) {
    if (fields.length === 0) throw new ArgumentError(command, position, 'at least one field', 'empty array', 'fields');
    return fields as RedisArgument[];
  }
  if (fields === undefined || fields === null || (typeof fields === 'object' && !Buffer.isBuffer(fields))) {
    throw new ArgumentError(command, position, 'a field or a non-empty array of fields', describeArgumentKind(fields), 'fields');
  }
  return [fields as RedisArgument];
}

/** Appends `FIELDS numfields field …`. */
function pushFields(argv: RedisArgument[], command: string, fields: unknown, position: number): RedisArgument[] {
  const list = fieldList(command, fields, position);
  argv.push('FIELDS', list.length);
  for (const f of list) argv.push(f);
  return argv;
}

function pushExpiration(argv: RedisArgument[], command: string, expiration: unknown, allowed: ReadonlySet<string>): void {
  if (expiration === undefined) return;
  const word = typeof expiration === 'string' ? expiration : isPlainObject(expiration) ? expiration.type : undefined;
  if (typeof word !== 'string' || !allowed.has(word)) {
    throw new ArgumentError(command, 'options.expiration', `one of ${[...allowed].map((w) => `'${w}'`).join(', ')} (or { type, value })`, describeArgumentKind(expiration));
  }
  if (word === 'PERSIST' || word === 'KEEPTTL') {
    argv.push(word);
    return;
  }
  const value = (expiration as { value?: unknown }).value;
  const unit = word === 'EXAT' ? 's' : word === 'PXAT' ? 'ms' : undefined;
  argv.push(word, integerOption(command, 'options.expiration.value', value, unit));
}

function optionsObject(command: string, options: unknown, position: number): Record<string, unknown> | undefined {
  if (options === undefined) return undefined;
  if (!isPlainObject(options)) throw new ArgumentError(command, position, 'an options object', describeArgumentKind(options), 'options');
  return options;
}

const HGETEX_EXPIRATIONS: ReadonlySet<string> = new Set(['EX', 'PX', 'EXAT', 'PXAT', 'PERSIST']);
const HSETEX_EXPIRATIONS: ReadonlySet<string> = new Set(['EX', 'PX', 'EXAT', 'PXAT', 'KEEPTTL']);

function buildHGetEx(key: RedisArgument, fields: HashFields, options?: HGetExOptions): RedisArgument[] {
  const argv: RedisArgument[] = ['HGETEX', key];
  const o = optionsObject('HGETEX', options, 2);
  if (o) pushExpiration(argv, 'HGETEX', o.expiration, HGETEX_EXPIRATIONS);
  return pushFields(argv, 'HGETEX', fields, 1);
}

function pushPairs(argv: RedisArgument[], fields: unknown): number {
  let count = 0;
  if (fields instanceof Map) {
    for (const [f, v] of fields as Map<RedisArgument, RedisArgument>) {
      argv.push(f, v);
      count++;
    }
    return count;
  }
  if (Array.isArray(fields)) {
    if (fields.length > 0 && Array.isArray(fields[0])) {
      for (const pair of fields as ReadonlyArray<readonly unknown[]>) {
        if (!Array.isArray(pair) || pair.length !== 2) {
          throw new ArgumentError('HSETEX', 1, 'a list of [field, value] pairs', describeArgumentKind(pair), 'fields');
        }
        argv.push(pair[0] as RedisArgument, pair[1] as RedisArgument);
        count++;
      }
      return count;
    }
    if (fields.length % 2 !== 0) throw new ArgumentError('HSETEX', 1, 'a flat list of field, value pairs (even length)', 'odd-length array', 'fields');
    for (const item of fields as RedisArgument[]) argv.push(item);
    return fields.length / 2;
  }
  if (isPlainObject(fields)) {
    for (const f of Object.keys(fields)) {
      argv.push(f, fields[f] as RedisArgument);
      count++;
    }
    return count;
  }
  throw new ArgumentError('HSETEX', 1, 'an object, Map or array of field/value pairs', describeArgumentKind(fields), 'fields');
}

function buildHSetEx(key: RedisArgument, fields: HSetExFields, options?: HSetExOptions): RedisArgument[] {
  const argv: RedisArgument[] = ['HSETEX', key];
  const o = optionsObject('HSETEX', options, 2);
  if (o?.mode !== undefined) {
    if (o.mode !== 'FNX' && o.mode !== 'FXX') throw new ArgumentError('HSETEX', 'options.mode', "'FNX' or 'FXX'", describeArgumentKind(o.mode));
    argv.push(o.mode);
  }
  if (o) pushExpiration(argv, 'HSETEX', o.expiration, HSETEX_EXPIRATIONS);
  argv.push('FIELDS', 0);
  const countAt = argv.length - 1;
  const count = pushPairs(argv, fields);
  if (count === 0) throw new ArgumentError('HSETEX', 1, 'at least one field/value pair', 'empty', 'fields');
  argv[countAt] = count;
  return argv;
}

function expireBuilder(name: string, unit?: 's' | 'ms') {
  return (key: RedisArgument, fields: HashFields, time: number | Date, mode?: HashExpirationCondition): RedisArgument[] => {
    const argv: RedisArgument[] = [name, key, integerOption(name, 2, time, unit)];
    if (mode !== undefined) {
      if (typeof mode !== 'string' || !CONDITIONS.has(mode)) throw new ArgumentError(name, 3, "'NX', 'XX', 'GT' or 'LT'", describeArgumentKind(mode), 'mode');
      argv.push(mode);
    }
    return pushFields(argv, name, fields, 1);
  };
}

function fieldsBuilder(name: string) {
  return (key: RedisArgument, fields: HashFields): RedisArgument[] => pushFields([name, key], name, fields, 1);
}

/** Commands of this family, by node-redis name. Replies keep the requested field order. */
export const HASH_FIELD_EXPIRATION_COMMANDS = {
  /** HGETEX (Redis 8.0, Valkey 9.0): values of `fields` (null if missing); `options.expiration` changes their TTL. */
  hGetEx: defineCommand({ build: buildHGetEx, transform: passThrough<Array<string | null>>() }),
  /** HSETEX (Redis 8.0, Valkey 9.0): sets fields, TTL per `options.expiration`, FNX/FXX `options.mode`; 1 set, 0 not. */
  hSetEx: defineCommand({ build: buildHSetEx, transform: passThrough<0 | 1>() }),
  /** HGETDEL (Redis 8.0): the values of `fields` (null for missing ones), deleting them (and the key when empty). */
  hGetDel: defineCommand({ build: fieldsBuilder('HGETDEL'), transform: passThrough<Array<string | null>>() }),
  /** HEXPIRE: sets the TTL of `fields` to `seconds` (integer); one {@link HashExpiration} per field. */
  hExpire: defineCommand({
    build: expireBuilder('HEXPIRE') as (key: RedisArgument, fields: HashFields, seconds: number, mode?: HashExpirationCondition) => RedisArgument[],
    transform: passThrough<HashExpiration[]>(),
  }),
  /** HPEXPIRE: sets the TTL of `fields` to `milliseconds` (integer); one {@link HashExpiration} per field. */
  hpExpire: defineCommand({
    build: expireBuilder('HPEXPIRE') as (key: RedisArgument, fields: HashFields, milliseconds: number, mode?: HashExpirationCondition) => RedisArgument[],
    transform: passThrough<HashExpiration[]>(),
  }),
  /** HEXPIREAT: expires `fields` at a Unix time in seconds (or a Date); one {@link HashExpiration} per field. */
  hExpireAt: defineCommand({
    build: expireBuilder('HEXPIREAT', 's') as (key: RedisArgument, fields: HashFields, timestamp: number | Date, mode?: HashExpirationCondition) => RedisArgument[],
    transform: passThrough<HashExpiration[]>(),
  }),
  /** HPEXPIREAT: expires `fields` at a Unix time in milliseconds (or a Date); one {@link HashExpiration} per field. */
  hpExpireAt: defineCommand({
    build: expireBuilder('HPEXPIREAT', 'ms') as (key: RedisArgument, fields: HashFields, timestamp: number | Date, mode?: HashExpirationCondition) => RedisArgument[],
    transform: passThrough<HashExpiration[]>(),
  }),
  /** HTTL: per field, the remaining TTL in seconds; -1 no TTL, -2 no such field (or key). */
  hTTL: defineCommand({ build: fieldsBuilder('HTTL'), transform: passThrough<number[] | null>() }),
  /** HPTTL: per field, the remaining TTL in milliseconds; -1 no TTL, -2 no such field (or key). */
  hpTTL: defineCommand({ build: fieldsBuilder('HPTTL'), transform: passThrough<number[] | null>() }),
  /** HEXPIRETIME: per field, the Unix time (seconds) it expires at; -1 no TTL, -2 no such field (or key). */
  hExpireTime: defineCommand({ build: fieldsBuilder('HEXPIRETIME'), transform: passThrough<number[] | null>() }),
  /** HPEXPIRETIME: per field, the Unix time (milliseconds) it expires at; -1 no TTL, -2 no such field (or key). */
  hpExpireTime: defineCommand({ build: fieldsBuilder('HPEXPIRETIME'), transform: passThrough<number[] | null>() }),
  /** HPERSIST: removes the TTL of `fields`; per field 1 removed, -1 had none, -2 no such field (or key). */
  hPersist: defineCommand({ build: fieldsBuilder('HPERSIST'), transform: passThrough<Array<1 | -1 | -2> | null>() }),
};
