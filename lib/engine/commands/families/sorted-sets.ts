import { defineCommand } from '../command-definition.js';
import type { RedisArgument, RespValue } from '../../resp/types.js';
import {
  asArray,
  double,
  doubleArgument,
  integer,
  nullableDouble,
  nullableDoubles,
  passThrough,
  scanParts,
  sortedSetMembers,
  type ScoredMember,
} from '../transforms.js';
import { pushScanArguments, pushVariadic, type ScanCommonOptions, type VariadicArgument } from './arguments.js';

/** A member to add, with its score (node-redis `SortedSetMember`). */
export interface SortedSetMember {
  value: RedisArgument;
  score: number;
}

/** ZADD options. */
export interface ZAddOptions {
  /** Only add new members (NX) / only update existing ones (XX). */
  condition?: 'NX' | 'XX';
  NX?: boolean;
  XX?: boolean;
  /** Only update when the new score is less (LT) / greater (GT) than the current one. */
  comparison?: 'LT' | 'GT';
  LT?: boolean;
  GT?: boolean;
  /** Count changed members too, not only added ones. */
  CH?: boolean;
}

/** ZRANK/ZREVRANK … WITHSCORE reply. */
export interface RankWithScore {
  rank: number;
  score: number;
}

/** ZSCAN reply: the next cursor (`'0'` when done) and a batch of members with scores. */
export interface ZScanReply {
  cursor: string;
  members: ScoredMember[];
}

function pushZAddOptions(argv: RedisArgument[], options: ZAddOptions | undefined, incr: boolean): void {
  if (options?.condition) argv.push(options.condition);
  else if (options?.NX) argv.push('NX');
  else if (options?.XX) argv.push('XX');
  if (options?.comparison) argv.push(options.comparison);
  else if (options?.LT) argv.push('LT');
  else if (options?.GT) argv.push('GT');
  if (options?.CH) argv.push('CH');
  if (incr) argv.push('INCR');
}

function pushMembers(argv: RedisArgument[], members: SortedSetMember | readonly SortedSetMember[]): RedisArgument[] {
  if (Array.isArray(members)) {
    for (const m of members as readonly SortedSetMember[]) argv.push(doubleArgument(m.score), m.value);
  } else {
    const m = members as SortedSetMember;
    argv.push(doubleArgument(m.score), m.value);
  }
  return argv;
}

function rankWithScore(reply: RespValue): RankWithScore | null {
  if (reply === null) return null;
  const [rank, score] = asArray(reply);
  return { rank: integer(rank), score: double(score) };
}

function zScanReply(reply: RespValue): ZScanReply {
  const { cursor, items } = scanParts(reply);
  return { cursor, members: sortedSetMembers(items) };
}

export const SORTED_SET_COMMANDS = {
  /** ZADD: adds or updates members `{ value, score }`; how many were added (changed too with CH). */
  zAdd: defineCommand({
    build: (key: RedisArgument, members: SortedSetMember | readonly SortedSetMember[], options?: ZAddOptions) => {
      const argv: RedisArgument[] = ['ZADD', key];
      pushZAddOptions(argv, options, false);
      return pushMembers(argv, members);
    },
    transform: integer,
  }),
  /** ZADD … INCR: increments the member's score; the new score, or null when a condition refused it. */
  zAddIncr: defineCommand({
    build: (key: RedisArgument, members: SortedSetMember | readonly SortedSetMember[], options?: ZAddOptions) => {
      const argv: RedisArgument[] = ['ZADD', key];
      pushZAddOptions(argv, options, true);
      return pushMembers(argv, members);
    },
    transform: nullableDouble,
  }),
  /** ZINCRBY: increments the score of `member` by `increment`; the new score. */
  zIncrBy: defineCommand({
    build: (key: RedisArgument, increment: number, member: RedisArgument) => [
      'ZINCRBY', key, doubleArgument(increment), member,
    ],
    transform: double,
  }),
  /** ZSCORE: the score of `member`, or null. */
  zScore: defineCommand({
    build: (key: RedisArgument, member: RedisArgument) => ['ZSCORE', key, member],
    transform: nullableDouble,
  }),
  /** ZMSCORE: the scores of `members` in order (null for missing ones). */
  zmScore: defineCommand({
    build: (key: RedisArgument, members: VariadicArgument) => pushVariadic(['ZMSCORE', key], members),
    transform: nullableDoubles,
  }),
  /** ZRANK: the 0-based rank of `member` by ascending score, or null. */
  zRank: defineCommand({
    build: (key: RedisArgument, member: RedisArgument) => ['ZRANK', key, member],
    transform: passThrough<number | null>(),
  }),
  /** ZREVRANK: the 0-based rank of `member` by descending score, or null. */
  zRevRank: defineCommand({
    build: (key: RedisArgument, member: RedisArgument) => ['ZREVRANK', key, member],
    transform: passThrough<number | null>(),
  }),
  /** ZRANK … WITHSCORE: `{ rank, score }` of `member`, or null. */
  zRankWithScore: defineCommand({
    build: (key: RedisArgument, member: RedisArgument) => ['ZRANK', key, member, 'WITHSCORE'],
    transform: rankWithScore,
  }),
  /** ZREVRANK … WITHSCORE: `{ rank, score }` of `member` by descending score, or null. */
  zRevRankWithScore: defineCommand({
    build: (key: RedisArgument, member: RedisArgument) => ['ZREVRANK', key, member, 'WITHSCORE'],
    transform: rankWithScore,
  }),
  /** ZCARD: the number of members (0 when missing). */
  zCard: defineCommand({
    build: (key: RedisArgument) => ['ZCARD', key],
    transform: passThrough<number>(),
  }),
  /** ZCOUNT: how many members score between `min` and `max` (numbers, ±Infinity or `'(1'`-style text). */
  zCount: defineCommand({
    build: (key: RedisArgument, min: RedisArgument, max: RedisArgument) => [
      'ZCOUNT', key, doubleArgument(min), doubleArgument(max),
    ],
    transform: passThrough<number>(),
  }),
  /** ZLEXCOUNT: how many members are between `min` and `max` lexicographically (`'[a'`, `'(b'`, `'-'`, `'+'`). */
  zLexCount: defineCommand({
    build: (key: RedisArgument, min: RedisArgument, max: RedisArgument) => ['ZLEXCOUNT', key, min, max],
    transform: passThrough<number>(),
  }),
  /** ZREM: removes members; how many were present. */
  zRem: defineCommand({
    build: (key: RedisArgument, members: VariadicArgument) => pushVariadic(['ZREM', key], members),
    transform: passThrough<number>(),
  }),
  /** ZREMRANGEBYSCORE: removes members scoring between `min` and `max`; how many. */
  zRemRangeByScore: defineCommand({
    build: (key: RedisArgument, min: RedisArgument, max: RedisArgument) => [
      'ZREMRANGEBYSCORE', key, doubleArgument(min), doubleArgument(max),
    ],
    transform: passThrough<number>(),
  }),
  /** ZREMRANGEBYRANK: removes members ranked `start` to `stop` (inclusive, negative from the end); how many. */
  zRemRangeByRank: defineCommand({
    build: (key: RedisArgument, start: number, stop: number) => ['ZREMRANGEBYRANK', key, start, stop],
    transform: passThrough<number>(),
  }),
  /** ZREMRANGEBYLEX: removes members between `min` and `max` lexicographically; how many. */
  zRemRangeByLex: defineCommand({
    build: (key: RedisArgument, min: RedisArgument, max: RedisArgument) => ['ZREMRANGEBYLEX', key, min, max],
    transform: passThrough<number>(),
  }),
  /** ZRANDMEMBER: one random member, or null. */
  zRandMember: defineCommand({
    build: (key: RedisArgument) => ['ZRANDMEMBER', key],
    transform: passThrough<string | null>(),
  }),
  /** ZRANDMEMBER key count: up to `count` distinct members (negative: may repeat, exactly |count|). */
  zRandMemberCount: defineCommand({
    build: (key: RedisArgument, count: number) => ['ZRANDMEMBER', key, count],
    transform: passThrough<string[]>(),
  }),
  /** ZRANDMEMBER key count WITHSCORES: random members with scores, `{ value, score }[]`. */
  zRandMemberCountWithScores: defineCommand({
    build: (key: RedisArgument, count: number) => ['ZRANDMEMBER', key, count, 'WITHSCORES'],
    transform: sortedSetMembers,
  }),
  /** ZSCAN: one step of member iteration: `{ cursor, members: { value, score }[] }`. */
  zScan: defineCommand({
    build: (key: RedisArgument, cursor: RedisArgument, options?: ScanCommonOptions) =>
      pushScanArguments(['ZSCAN', key], cursor, options),
    transform: zScanReply,
  }),
};
