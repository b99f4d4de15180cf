import { defineCommand } from '../command-definition.js';
import type { RedisArgument, RespValue } from '../../resp/types.js';
import { passThrough, scanParts, text } from '../transforms.js';
import {
  pushScanArguments,
  pushVariadic,
  pushWithCount,
  type ScanCommonOptions,
  type VariadicArgument,
} from './arguments.js';

/** SINTERCARD options. */
export interface SInterCardOptions {
  /** Stop counting at this cardinality (0: no limit). */
  LIMIT?: number;
}

/** SSCAN reply: the next cursor (`'0'` when done) and a batch of members. */
export interface SScanReply {
  cursor: string;
  members: string[];
}

function sScanReply(reply: RespValue): SScanReply {
  const { cursor, items } = scanParts(reply);
  return { cursor, members: items.map(text) };
}

export const SET_COMMANDS = {
  /** SADD: adds members; how many were new. */
  sAdd: defineCommand({
    build: (key: RedisArgument, members: VariadicArgument) => pushVariadic(['SADD', key], members),
    transform: passThrough<number>(),
  }),
  /** SREM: removes members; how many were present. */
  sRem: defineCommand({
    build: (key: RedisArgument, members: VariadicArgument) => pushVariadic(['SREM', key], members),
    transform: passThrough<number>(),
  }),
  /** SMEMBERS: every member (RESP3 sets arrive as arrays too). */
  sMembers: defineCommand({
    build: (key: RedisArgument) => ['SMEMBERS', key],
    transform: passThrough<string[]>(),
  }),
  /** SISMEMBER: 1 if `member` is in the set, 0 otherwise. */
  sIsMember: defineCommand({
    build: (key: RedisArgument, member: RedisArgument) => ['SISMEMBER', key, member],
    transform: passThrough<number>(),
  }),
  /** SMISMEMBER: 1 or 0 per member, in order. */
  smIsMember: defineCommand({
    build: (key: RedisArgument, members: readonly RedisArgument[]) => ['SMISMEMBER', key, ...members],
    transform: passThrough<number[]>(),
  }),
  /** SCARD: the number of members (0 when missing). */
  sCard: defineCommand({
    build: (key: RedisArgument) => ['SCARD', key],
    transform: passThrough<number>(),
  }),
  /** SPOP: removes and returns a random member, or null. */
  sPop: defineCommand({
    build: (key: RedisArgument) => ['SPOP', key],
    transform: passThrough<string | null>(),
  }),
  /** SPOP key count: removes and returns up to `count` random members. */
  sPopCount: defineCommand({
    build: (key: RedisArgument, count: number) => ['SPOP', key, count],
    transform: passThrough<string[]>(),
  }),
  /** SRANDMEMBER: a random member (not removed), or null. */
  sRandMember: defineCommand({
    build: (key: RedisArgument) => ['SRANDMEMBER', key],
    transform: passThrough<string | null>(),
  }),
  /** SRANDMEMBER key count: up to `count` distinct members (negative: may repeat, exactly |count|). */
  sRandMemberCount: defineCommand({
    build: (key: RedisArgument, count: number) => ['SRANDMEMBER', key, count],
    transform: passThrough<string[]>(),
  }),
  /** SMOVE: moves `member` between sets atomically (same slot); 1 if moved, 0 otherwise. */
  sMove: defineCommand({
    build: (source: RedisArgument, destination: RedisArgument, member: RedisArgument) => [
      'SMOVE', source, destination, member,
    ],
    transform: passThrough<number>(),
  }),
  /** SINTER: the intersection of the sets (same slot). */
  sInter: defineCommand({
    build: (keys: VariadicArgument) => pushVariadic(['SINTER'], keys),
    transform: passThrough<string[]>(),
  }),
  /** SINTERCARD: the cardinality of the intersection (same slot), optionally capped by LIMIT. */
  sInterCard: defineCommand({
    build: (keys: VariadicArgument, options?: SInterCardOptions | number) => {
      const argv = pushWithCount(['SINTERCARD'], keys);
      const limit = typeof options === 'number' ? options : options?.LIMIT;
      if (limit !== undefined) argv.push('LIMIT', limit);
      return argv;
    },
    transform: passThrough<number>(),
  }),
  /** SINTERSTORE: stores the intersection in `destination` (same slot); its size. */
  sInterStore: defineCommand({
    build: (destination: RedisArgument, keys: VariadicArgument) => pushVariadic(['SINTERSTORE', destination], keys),
    transform: passThrough<number>(),
  }),
  /** SUNION: the union of the sets (same slot). */
  sUnion: defineCommand({
    build: (keys: VariadicArgument) => pushVariadic(['SUNION'], keys),
    transform: passThrough<string[]>(),
  }),
  /** SUNIONSTORE: stores the union in `destination` (same slot); its size. */
  sUnionStore: defineCommand({
    build: (destination: RedisArgument, keys: VariadicArgument) => pushVariadic(['SUNIONSTORE', destination], keys),
    transform: passThrough<number>(),
  }),
  /** SDIFF: the members of the first set not in the others (same slot). */
  sDiff: defineCommand({
    build: (keys: VariadicArgument) => pushVariadic(['SDIFF'], keys),
    transform: passThrough<string[]>(),
  }),
  /** SDIFFSTORE: stores the difference in `destination` (same slot); its size. */
  sDiffStore: defineCommand({
    build: (destination: RedisArgument, keys: VariadicArgument) => pushVariadic(['SDIFFSTORE', destination], keys),
    transform: passThrough<number>(),
  }),
  /** SSCAN: one step of member iteration: `{ cursor, members }`. */
  sScan: defineCommand({
    build: (key: RedisArgument, cursor: RedisArgument, options?: ScanCommonOptions) =>
      pushScanArguments(['SSCAN', key], cursor, options),
    transform: sScanReply,
  }),
};
