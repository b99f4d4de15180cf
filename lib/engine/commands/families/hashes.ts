import { defineCommand } from '../command-definition.js';
import type { RedisArgument, RespValue } from '../../resp/types.js';
import { fieldValuePairs, passThrough, scanParts, stringRecord } from '../transforms.js';
import { pushScanArguments, pushVariadic, type ScanCommonOptions, type VariadicArgument } from './arguments.js';

/** HSET fields as an object. */
export type HSetObject = Record<string | number, RedisArgument>;
/** HSET fields as a Map. */
export type HSetMap = Map<RedisArgument, RedisArgument>;
/** HSET fields as `[[field, value], …]` or a flat `[field, value, …]` list. */
export type HSetTuples = ReadonlyArray<readonly [RedisArgument, RedisArgument]> | readonly RedisArgument[];
/** HSET arguments: `(key, field, value)` or `(key, fields)`. */
export type HSetArguments =
  | [key: RedisArgument, field: RedisArgument, value: RedisArgument]
  | [key: RedisArgument, fields: HSetObject | HSetMap | HSetTuples];

/** A hash field with its value. */
export interface HashEntry {
  field: string;
  value: string;
}

/** HSCAN reply: the next cursor (`'0'` when done) and a batch of field/value pairs. */
export interface HScanReply {
  cursor: string;
  entries: HashEntry[];
}

function isScalar(value: unknown): value is RedisArgument {
  return typeof value === 'string' || typeof value === 'number' || Buffer.isBuffer(value);
}

function pushTuples(argv: RedisArgument[], tuples: readonly unknown[]): void {
  for (const item of tuples) {
    if (Array.isArray(item)) pushTuples(argv, item);
    else argv.push(item as RedisArgument);
  }
}

function buildHSet(...args: HSetArguments): RedisArgument[] {
  const argv: RedisArgument[] = ['HSET', args[0]];
  const fields = args[1];
  if (isScalar(fields)) {
    argv.push(fields, (args as [RedisArgument, RedisArgument, RedisArgument])[2]);
  } else if (fields instanceof Map) {
    for (const [field, value] of fields) argv.push(field, value);
  } else if (Array.isArray(fields)) {
    pushTuples(argv, fields);
  } else {
    const record = fields as HSetObject;
    for (const field of Object.keys(record)) argv.push(field, record[field]!);
  }
  return argv;
}

function hScanReply(reply: RespValue): HScanReply {
  const { cursor, items } = scanParts(reply);
  return { cursor, entries: fieldValuePairs(items) };
}

export const HASH_COMMANDS = {
  /** HSET: sets one field (`key, field, value`) or many (object, Map or tuples); how many fields were new. */
  hSet: defineCommand({
    build: buildHSet,
    transform: passThrough<number>(),
  }),
  /** HGET: the value of `field`, or null. */
  hGet: defineCommand({
    build: (key: RedisArgument, field: RedisArgument) => ['HGET', key, field],
    transform: passThrough<string | null>(),
  }),
  /** HGETALL: every field and value as an object (empty when the key is missing). */
  hGetAll: defineCommand({
    build: (key: RedisArgument) => ['HGETALL', key],
    transform: (reply: RespValue): Record<string, string> => stringRecord(reply),
  }),
  /** HMGET: the values of `fields` in order (null for missing ones). */
  hmGet: defineCommand({
    build: (key: RedisArgument, fields: VariadicArgument) => pushVariadic(['HMGET', key], fields),
    transform: passThrough<Array<string | null>>(),
  }),
  /** HDEL: deletes fields; how many existed. */
  hDel: defineCommand({
    build: (key: RedisArgument, fields: VariadicArgument) => pushVariadic(['HDEL', key], fields),
    transform: passThrough<number>(),
  }),
  /** HEXISTS: 1 if `field` exists, 0 otherwise. */
  hExists: defineCommand({
    build: (key: RedisArgument, field: RedisArgument) => ['HEXISTS', key, field],
    transform: passThrough<0 | 1>(),
  }),
  /** HINCRBY: increments the integer in `field`; the new value. */
  hIncrBy: defineCommand({
    build: (key: RedisArgument, field: RedisArgument, increment: number) => ['HINCRBY', key, field, increment],
    transform: passThrough<number>(),
  }),
  /** HINCRBYFLOAT: increments the number in `field`; the new value as text (like node-redis). */
  hIncrByFloat: defineCommand({
    build: (key: RedisArgument, field: RedisArgument, increment: number) => ['HINCRBYFLOAT', key, field, increment],
    transform: passThrough<string>(),
  }),
  /** HKEYS: every field name. */
  hKeys: defineCommand({
    build: (key: RedisArgument) => ['HKEYS', key],
    transform: passThrough<string[]>(),
  }),
  /** HVALS: every value. */
  hVals: defineCommand({
    build: (key: RedisArgument) => ['HVALS', key],
    transform: passThrough<string[]>(),
  }),
  /** HLEN: the number of fields. */
  hLen: defineCommand({
    build: (key: RedisArgument) => ['HLEN', key],
    transform: passThrough<number>(),
  }),
  /** HSETNX: sets `field` only if it does not exist; 1 if set, 0 otherwise. */
  hSetNX: defineCommand({
    build: (key: RedisArgument, field: RedisArgument, value: RedisArgument) => ['HSETNX', key, field, value],
    transform: passThrough<0 | 1>(),
  }),
  /** HSTRLEN: the length in bytes of the value of `field` (0 when missing). */
  hStrLen: defineCommand({
    build: (key: RedisArgument, field: RedisArgument) => ['HSTRLEN', key, field],
    transform: passThrough<number>(),
  }),
  /** HRANDFIELD: one random field name, or null when the key is missing. */
  hRandField: defineCommand({
    build: (key: RedisArgument) => ['HRANDFIELD', key],
    transform: passThrough<string | null>(),
  }),
  /** HRANDFIELD key count: up to `count` distinct fields (negative: may repeat, exactly |count|). */
  hRandFieldCount: defineCommand({
    build: (key: RedisArgument, count: number) => ['HRANDFIELD', key, count],
    transform: passThrough<string[]>(),
  }),
  /** HRANDFIELD key count WITHVALUES: random fields with their values, `{ field, value }[]`. */
  hRandFieldCountWithValues: defineCommand({
    build: (key: RedisArgument, count: number) => ['HRANDFIELD', key, count, 'WITHVALUES'],
    transform: fieldValuePairs,
  }),
  /** HSCAN: one step of field iteration: `{ cursor, entries: { field, value }[] }`. */
  hScan: defineCommand({
    build: (key: RedisArgument, cursor: RedisArgument, options?: ScanCommonOptions) =>
      pushScanArguments(['HSCAN', key], cursor, options),
    transform: hScanReply,
  }),
};
