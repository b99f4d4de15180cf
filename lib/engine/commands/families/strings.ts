import { defineCommand } from '../command-definition.js';
import type { RedisArgument } from '../../resp/types.js';
import { passThrough } from '../transforms.js';
import { ArgumentError, describeArgumentKind } from '../../errors/base.error.js';
import { unixMilliseconds, unixSeconds } from './arguments.js';

/** SET options, as node-redis's `SetOptions`. Expiry options are mutually exclusive (first wins). */
export interface SetOptions {
  /** Expiry in one object: `{ type: 'EX' | 'PX' | 'EXAT' | 'PXAT', value }` or KEEPTTL. */
  expiration?: { type: 'EX' | 'PX' | 'EXAT' | 'PXAT'; value: number } | { type: 'KEEPTTL' } | 'KEEPTTL';
  /** Expire after this many seconds. */
  EX?: number;
  /** Expire after this many milliseconds. */
  PX?: number;
  /** Expire at this Unix time, in seconds. */
  EXAT?: number;
  /** Expire at this Unix time, in milliseconds. */
  PXAT?: number;
  /** Keep the key's current time to live. */
  KEEPTTL?: boolean;
  /** Set only if the key does not exist (NX) / exists (XX); IFEQ… compare with `matchValue` (Redis 8.4+). */
  condition?: 'NX' | 'XX' | 'IFEQ' | 'IFNE' | 'IFDEQ' | 'IFDNE';
  /** The value (or digest) compared by the IFEQ/IFNE/IFDEQ/IFDNE conditions. */
  matchValue?: RedisArgument;
  /** Set only if the key does not exist. */
  NX?: boolean;
  /** Set only if the key already exists. */
  XX?: boolean;
  /** Return the old value (SET … GET). */
  GET?: boolean;
}

/** GETEX options, as node-redis's `GetExOptions` (exactly one). */
export type GetExOptions =
  | { type: 'EX' | 'PX'; value: number }
  | { type: 'EXAT' | 'PXAT'; value: number | Date }
  | { type: 'PERSIST' }
  | { EX: number }
  | { PX: number }
  | { EXAT: number | Date }
  | { PXAT: number | Date }
  | { PERSIST: true };

/** MSET/MSETNX input: `[[k, v], …]`, a flat `[k, v, k, v]` list, or `{ k: v }`. */
export type MSetArguments =
  | ReadonlyArray<readonly [RedisArgument, RedisArgument]>
  | readonly RedisArgument[]
  | Record<string, RedisArgument>;

function pushSetOptions(argv: RedisArgument[], options: SetOptions | undefined): void {
  if (!options) return;
  const exp = options.expiration;
  if (exp) {
    if (typeof exp === 'string') argv.push(exp);
    else if (exp.type === 'KEEPTTL') argv.push('KEEPTTL');
    else argv.push(exp.type, exp.value);
  } else if (options.EX !== undefined) argv.push('EX', options.EX);
  else if (options.PX !== undefined) argv.push('PX', options.PX);
  else if (options.EXAT !== undefined) argv.push('EXAT', options.EXAT);
  else if (options.PXAT !== undefined) argv.push('PXAT', options.PXAT);
  else if (options.KEEPTTL) argv.push('KEEPTTL');

  if (options.condition) {
    argv.push(options.condition);
    if (options.matchValue !== undefined) argv.push(options.matchValue);
  } else if (options.NX) argv.push('NX');
  else if (options.XX) argv.push('XX');

  if (options.GET) argv.push('GET');
}

function pushGetExOptions(argv: RedisArgument[], options: GetExOptions): void {
  if ('type' in options) {
    switch (options.type) {
      case 'EX':
      case 'PX':
        argv.push(options.type, options.value);
        return;
      case 'EXAT':
        argv.push('EXAT', unixSeconds(options.value));
        return;
      case 'PXAT':
        argv.push('PXAT', unixMilliseconds(options.value));
        return;
      default:
        argv.push('PERSIST');
        return;
    }
  }
  if ('EX' in options) argv.push('EX', options.EX);
  else if ('PX' in options) argv.push('PX', options.PX);
  else if ('EXAT' in options) argv.push('EXAT', unixSeconds(options.EXAT));
  else if ('PXAT' in options) argv.push('PXAT', unixMilliseconds(options.PXAT));
  else argv.push('PERSIST');
}

/**
 * Appends the key/value pairs of MSET/MSETNX. Throws ArgumentError (turned into the call's
 * rejection) for an empty input, a flat list of odd length (a key without its value), a pair that
 * is not a two-element array, or an input that is neither a list nor an object.
 */
export function pushMSetArguments(argv: RedisArgument[], toSet: MSetArguments, command = String(argv[0])): RedisArgument[] {
  if (Array.isArray(toSet)) {
    if (toSet.length === 0) throw new ArgumentError(command, 0, 'at least one key/value pair', 'empty array', 'toSet');
    if (Array.isArray(toSet[0])) {
      for (const pair of toSet as ReadonlyArray<readonly [RedisArgument, RedisArgument]>) {
        if (!Array.isArray(pair) || pair.length !== 2) throw new ArgumentError(command, 0, 'a list of [key, value] pairs', Array.isArray(pair) ? `a ${pair.length}-element array` : describeArgumentKind(pair), 'toSet');
        argv.push(pair[0], pair[1]);
      }
    } else {
      if (toSet.length % 2 !== 0) throw new ArgumentError(command, 0, 'a flat list of key, value, key, value… (even length)', `a list of odd length ${toSet.length}`, 'toSet');
      for (const item of toSet as readonly RedisArgument[]) argv.push(item);
    }
  } else {
    if (typeof toSet !== 'object' || toSet === null || Buffer.isBuffer(toSet)) throw new ArgumentError(command, 0, 'a list of pairs, a flat key/value list or an object', describeArgumentKind(toSet), 'toSet');
    const record = toSet as Record<string, RedisArgument>;
    const keys = Object.keys(record);
    if (keys.length === 0) throw new ArgumentError(command, 0, 'at least one key/value pair', 'empty object', 'toSet');
    for (const key of keys) argv.push(key, record[key]!);
  }
  return argv;
}

export const STRING_COMMANDS = {
  /** GET: the value of `key`, or null when it does not exist. */
  get: defineCommand({
    build: (key: RedisArgument) => ['GET', key],
    transform: passThrough<string | null>(),
  }),
  /** SET: `'OK'`, or null when NX/XX prevented it; with `GET`, the old value (or null). Expiry in s (EX/EXAT) or ms (PX/PXAT). */
  set: defineCommand({
    build: (key: RedisArgument, value: RedisArgument | number, options?: SetOptions) => {
      const argv: RedisArgument[] = ['SET', key, value];
      pushSetOptions(argv, options);
      return argv;
    },
    transform: passThrough<string | null>(),
  }),
  /** GETDEL: the value of `key` (then deletes it), or null. */
  getDel: defineCommand({
    build: (key: RedisArgument) => ['GETDEL', key],
    transform: passThrough<string | null>(),
  }),
  /** GETEX: the value of `key` (or null) and sets its expiry: EX/EXAT in seconds, PX/PXAT in ms, or PERSIST. */
  getEx: defineCommand({
    build: (key: RedisArgument, options: GetExOptions) => {
      const argv: RedisArgument[] = ['GETEX', key];
      pushGetExOptions(argv, options);
      return argv;
    },
    transform: passThrough<string | null>(),
  }),
  /** GETRANGE: the substring between byte offsets `start` and `end` (inclusive, negative from the end). */
  getRange: defineCommand({
    build: (key: RedisArgument, start: number, end: number) => ['GETRANGE', key, start, end],
    transform: passThrough<string>(),
  }),
  /** SETRANGE: overwrites from byte `offset`; the new length of the string. */
  setRange: defineCommand({
    build: (key: RedisArgument, offset: number, value: RedisArgument) => ['SETRANGE', key, offset, value],
    transform: passThrough<number>(),
  }),
  /** APPEND: appends `value`; the new length of the string. */
  append: defineCommand({
    build: (key: RedisArgument, value: RedisArgument) => ['APPEND', key, value],
    transform: passThrough<number>(),
  }),
  /** STRLEN: the length of the string at `key` in bytes (0 when missing). */
  strLen: defineCommand({
    build: (key: RedisArgument) => ['STRLEN', key],
    transform: passThrough<number>(),
  }),
  /** INCR: increments the integer at `key` by 1; the new value. */
  incr: defineCommand({
    build: (key: RedisArgument) => ['INCR', key],
    transform: passThrough<number>(),
  }),
  /** INCRBY: increments the integer at `key` by `increment`; the new value. */
  incrBy: defineCommand({
    build: (key: RedisArgument, increment: number) => ['INCRBY', key, increment],
    transform: passThrough<number>(),
  }),
  /** INCRBYFLOAT: increments the number at `key` by `increment`; the new value as text (like node-redis). */
  incrByFloat: defineCommand({
    build: (key: RedisArgument, increment: number) => ['INCRBYFLOAT', key, increment],
    transform: passThrough<string>(),
  }),
  /** DECR: decrements the integer at `key` by 1; the new value. */
  decr: defineCommand({
    build: (key: RedisArgument) => ['DECR', key],
    transform: passThrough<number>(),
  }),
  /** DECRBY: decrements the integer at `key` by `decrement`; the new value. */
  decrBy: defineCommand({
    build: (key: RedisArgument, decrement: number) => ['DECRBY', key, decrement],
    transform: passThrough<number>(),
  }),
  /** MGET: the values of `keys` in order (null for missing); split per slot in a cluster. */
  mGet: defineCommand({
    build: (keys: readonly RedisArgument[]) => ['MGET', ...keys],
    transform: passThrough<Array<string | null>>(),
  }),
  /** MSET: sets every pair; `'OK'`. Split per slot in a cluster (not atomic across slots). */
  mSet: defineCommand({
    build: (toSet: MSetArguments) => pushMSetArguments(['MSET'], toSet),
    transform: passThrough<'OK'>(),
  }),
  /** MSETNX: sets every pair only if none exists; 1 if set, 0 otherwise. All keys in one slot. */
  mSetNX: defineCommand({
    build: (toSet: MSetArguments) => pushMSetArguments(['MSETNX'], toSet),
    transform: passThrough<number>(),
  }),
  /** SETNX: sets `key` only if it does not exist; 1 if set, 0 otherwise. */
  setNX: defineCommand({
    build: (key: RedisArgument, value: RedisArgument) => ['SETNX', key, value],
    transform: passThrough<number>(),
  }),
  /** SETEX: sets `key` with a time to live of `seconds`; `'OK'`. */
  setEx: defineCommand({
    build: (key: RedisArgument, seconds: number, value: RedisArgument) => ['SETEX', key, seconds, value],
    transform: passThrough<'OK'>(),
  }),
  /** PSETEX: sets `key` with a time to live of `ms` milliseconds; `'OK'`. */
  pSetEx: defineCommand({
    build: (key: RedisArgument, ms: number, value: RedisArgument) => ['PSETEX', key, ms, value],
    transform: passThrough<'OK'>(),
  }),
  /** LCS: the longest common subsequence of the strings at `key1` and `key2` (same slot). */
  lcs: defineCommand({
    build: (key1: RedisArgument, key2: RedisArgument) => ['LCS', key1, key2],
    transform: passThrough<string>(),
  }),
};
