import { defineCommand } from '../command-definition.js';
import type { RedisArgument, RespValue } from '../../resp/types.js';
import {
  asArray,
  double,
  doubleArgument,
  passThrough,
  sortedSetMember,
  sortedSetMembers,
  text,
  type ScoredMember,
} from '../transforms.js';
import { pushVariadic, pushWithCount, type VariadicArgument } from './arguments.js';

/** ZRANGE options. */
export interface ZRangeOptions {
  /** Range by score or lexicographically instead of by rank. */
  BY?: 'SCORE' | 'LEX';
  /** Reverse order (then `min` is the high end). */
  REV?: boolean;
  /** Skip `offset` results and return at most `count` (BYSCORE/BYLEX only). */
  LIMIT?: { offset: number; count: number };
}

/** ZRANGEBYSCORE options. */
export interface ZRangeByScoreOptions {
  LIMIT?: { offset: number; count: number };
}

/** A key with its weight for ZUNIONSTORE/ZINTERSTORE. */
export interface ZKeyAndWeight {
  key: RedisArgument;
  weight: number;
}

/** Source keys of ZUNIONSTORE/ZINTERSTORE: keys, or keys with weights. */
export type ZKeys = RedisArgument | readonly RedisArgument[] | ZKeyAndWeight | readonly ZKeyAndWeight[];

/** ZUNIONSTORE/ZINTERSTORE options. */
export interface ZAggregateOptions {
  /** How scores of a member in several sets combine (default SUM; COUNT needs Redis 8.8+). */
  AGGREGATE?: 'SUM' | 'MIN' | 'MAX' | 'COUNT';
}

/** ZMPOP/BZMPOP options. */
export interface ZMPopOptions {
  /** Pop up to this many members (default 1). */
  COUNT?: number;
}

/** ZMPOP/BZMPOP reply. */
export interface ZMPopReply {
  key: string;
  members: ScoredMember[];
}

/** BZPOPMIN/BZPOPMAX reply. */
export interface BlockingZPopReply {
  key: string;
  value: string;
  score: number;
}

function pushRange(
  argv: RedisArgument[],
  min: RedisArgument,
  max: RedisArgument,
  options: ZRangeOptions | undefined,
): RedisArgument[] {
  argv.push(doubleArgument(min), doubleArgument(max));
  if (options?.BY === 'SCORE') argv.push('BYSCORE');
  else if (options?.BY === 'LEX') argv.push('BYLEX');
  if (options?.REV) argv.push('REV');
  if (options?.LIMIT) argv.push('LIMIT', options.LIMIT.offset, options.LIMIT.count);
  return argv;
}

function pushRangeByScore(
  argv: RedisArgument[],
  min: RedisArgument,
  max: RedisArgument,
  options: ZRangeByScoreOptions | undefined,
): RedisArgument[] {
  argv.push(doubleArgument(min), doubleArgument(max));
  if (options?.LIMIT) argv.push('LIMIT', options.LIMIT.offset, options.LIMIT.count);
  return argv;
}

function isKeyAndWeight(value: unknown): value is ZKeyAndWeight {
  return typeof value === 'object' && value !== null && !Buffer.isBuffer(value) && 'key' in value;
}

/** Appends `numkeys key [key …] [WEIGHTS w [w …]]`. */
function pushZKeys(argv: RedisArgument[], keys: ZKeys): RedisArgument[] {
  const list = (Array.isArray(keys) ? keys : [keys]) as ReadonlyArray<RedisArgument | ZKeyAndWeight>;
  argv.push(list.length);
  if (list.length === 0) return argv;
  if (!isKeyAndWeight(list[0])) {
    for (const key of list as readonly RedisArgument[]) argv.push(key);
    return argv;
  }
  const weighted = list as readonly ZKeyAndWeight[];
  for (const { key } of weighted) argv.push(key);
  argv.push('WEIGHTS');
  for (const { weight } of weighted) argv.push(doubleArgument(weight));
  return argv;
}

function pushZStore(
  name: string,
  destination: RedisArgument,
  keys: ZKeys,
  options: ZAggregateOptions | undefined,
): RedisArgument[] {
  const argv = pushZKeys([name, destination], keys);
  if (options?.AGGREGATE) argv.push('AGGREGATE', options.AGGREGATE);
  return argv;
}

function pushZMPop(argv: RedisArgument[], keys: VariadicArgument, side: 'MIN' | 'MAX', options?: ZMPopOptions) {
  pushWithCount(argv, keys);
  argv.push(side);
  if (options?.COUNT) argv.push('COUNT', options.COUNT);
  return argv;
}

function zmPopReply(reply: RespValue): ZMPopReply | null {
  if (reply === null) return null;
  const [key, members] = asArray(reply);
  return { key: text(key), members: sortedSetMembers(members ?? []) };
}

function blockingZPopReply(reply: RespValue): BlockingZPopReply | null {
  if (reply === null) return null;
  const [key, value, score] = asArray(reply);
  return { key: text(key), value: text(value), score: double(score) };
}

function blocking(name: string, keys: VariadicArgument, timeout: number): RedisArgument[] {
  const argv = pushVariadic([name], keys);
  argv.push(timeout);
  return argv;
}

export const SORTED_SET_RANGE_COMMANDS = {
  /** ZRANGE: members from `min` to `max` by rank (default), score (BY SCORE) or lex (BY LEX). */
  zRange: defineCommand({
    build: (key: RedisArgument, min: RedisArgument, max: RedisArgument, options?: ZRangeOptions) =>
      pushRange(['ZRANGE', key], min, max, options),
    transform: passThrough<string[]>(),
  }),
  /** ZRANGE … WITHSCORES: like zRange, with scores: `{ value, score }[]`. */
  zRangeWithScores: defineCommand({
    build: (key: RedisArgument, min: RedisArgument, max: RedisArgument, options?: ZRangeOptions) => {
      const argv = pushRange(['ZRANGE', key], min, max, options);
      argv.push('WITHSCORES');
      return argv;
    },
    transform: sortedSetMembers,
  }),
  /** ZRANGEBYSCORE: members scoring between `min` and `max` (numbers, ±Infinity or `'(1'`-style text). */
  zRangeByScore: defineCommand({
    build: (key: RedisArgument, min: RedisArgument, max: RedisArgument, options?: ZRangeByScoreOptions) =>
      pushRangeByScore(['ZRANGEBYSCORE', key], min, max, options),
    transform: passThrough<string[]>(),
  }),
  /** ZRANGEBYSCORE … WITHSCORES: `{ value, score }[]`. */
  zRangeByScoreWithScores: defineCommand({
    build: (key: RedisArgument, min: RedisArgument, max: RedisArgument, options?: ZRangeByScoreOptions) => {
      const argv = pushRangeByScore(['ZRANGEBYSCORE', key], min, max, options);
      argv.push('WITHSCORES');
      return argv;
    },
    transform: sortedSetMembers,
  }),
  /** ZPOPMIN: removes and returns the lowest-scored member `{ value, score }`, or null. */
  zPopMin: defineCommand({
    build: (key: RedisArgument) => ['ZPOPMIN', key],
    transform: sortedSetMember,
  }),
  /** ZPOPMAX: removes and returns the highest-scored member `{ value, score }`, or null. */
  zPopMax: defineCommand({
    build: (key: RedisArgument) => ['ZPOPMAX', key],
    transform: sortedSetMember,
  }),
  /** ZPOPMIN key count: removes and returns up to `count` lowest-scored members. */
  zPopMinCount: defineCommand({
    build: (key: RedisArgument, count: number) => ['ZPOPMIN', key, count],
    transform: sortedSetMembers,
  }),
  /** ZPOPMAX key count: removes and returns up to `count` highest-scored members. */
  zPopMaxCount: defineCommand({
    build: (key: RedisArgument, count: number) => ['ZPOPMAX', key, count],
    transform: sortedSetMembers,
  }),
  /** BZPOPMIN: blocking ZPOPMIN over `keys` (same slot), `timeout` in seconds (0: forever): `{ key, value, score }` or null. */
  bzPopMin: defineCommand({
    build: (keys: VariadicArgument, timeout: number) => blocking('BZPOPMIN', keys, timeout),
    transform: blockingZPopReply,
  }),
  /** BZPOPMAX: blocking ZPOPMAX over `keys` (same slot), `timeout` in seconds (0: forever): `{ key, value, score }` or null. */
  bzPopMax: defineCommand({
    build: (keys: VariadicArgument, timeout: number) => blocking('BZPOPMAX', keys, timeout),
    transform: blockingZPopReply,
  }),
  /** ZMPOP: pops from the first non-empty set of `keys` (same slot): `{ key, members }` or null. */
  zmPop: defineCommand({
    build: (keys: VariadicArgument, side: 'MIN' | 'MAX', options?: ZMPopOptions) =>
      pushZMPop(['ZMPOP'], keys, side, options),
    transform: zmPopReply,
  }),
  /** BZMPOP: blocking ZMPOP, `timeout` in seconds (0: forever): `{ key, members }` or null on timeout. */
  bzmPop: defineCommand({
    build: (timeout: number, keys: VariadicArgument, side: 'MIN' | 'MAX', options?: ZMPopOptions) =>
      pushZMPop(['BZMPOP', timeout], keys, side, options),
    transform: zmPopReply,
  }),
  /** ZUNIONSTORE: stores the union of `keys` (optionally weighted) in `destination` (same slot); its size. */
  zUnionStore: defineCommand({
    build: (destination: RedisArgument, keys: ZKeys, options?: ZAggregateOptions) =>
      pushZStore('ZUNIONSTORE', destination, keys, options),
    transform: passThrough<number>(),
  }),
  /** ZINTERSTORE: stores the intersection of `keys` (optionally weighted) in `destination` (same slot); its size. */
  zInterStore: defineCommand({
    build: (destination: RedisArgument, keys: ZKeys, options?: ZAggregateOptions) =>
      pushZStore('ZINTERSTORE', destination, keys, options),
    transform: passThrough<number>(),
  }),
  /** ZDIFF: members of the first set not in the others (same slot). */
  zDiff: defineCommand({
    build: (keys: VariadicArgument) => pushWithCount(['ZDIFF'], keys),
    transform: passThrough<string[]>(),
  }),
  /** ZDIFF … WITHSCORES: the difference with scores, `{ value, score }[]`. */
  zDiffWithScores: defineCommand({
    build: (keys: VariadicArgument) => {
      const argv = pushWithCount(['ZDIFF'], keys);
      argv.push('WITHSCORES');
      return argv;
    },
    transform: sortedSetMembers,
  }),
};
