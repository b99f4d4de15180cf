import { describe, expect, it } from '@jest/globals';
import type { CommandDefinition } from '../../../lib/engine/commands/command-definition.js';
import { commandInfo } from '../../../lib/engine/commands/command-info.js';
import { clusterRoute } from '../../../lib/engine/cluster/policy-router.js';
import { COMMANDS, type CommandMethods, type CommandName } from '../../../lib/engine/commands/commands.js';
import type { RedisArgument, RespValue } from '../../../lib/engine/resp/types.js';

function argv<K extends CommandName>(name: K, ...args: Parameters<CommandMethods[K]>): RedisArgument[] {
  return (COMMANDS[name] as unknown as CommandDefinition).build(...(args as unknown[]));
}
function reply<K extends CommandName>(name: K, raw: RespValue): Awaited<ReturnType<CommandMethods[K]>> {
  const def = COMMANDS[name] as unknown as CommandDefinition;
  return (def.transform ? def.transform(raw) : raw) as Awaited<ReturnType<CommandMethods[K]>>;
}
function keysOf(args: RedisArgument[]): RedisArgument[] {
  const info = commandInfo(args);
  expect(info.known).toBe(true);
  return info.keys;
}

describe('sorted sets: build', () => {
  it('ZADD with members and options; infinities as +inf/-inf', () => {
    expect(argv('zAdd', 'z', { value: 'a', score: 1 })).toEqual(['ZADD', 'z', '1', 'a']);
    expect(
      argv('zAdd', 'z', [
        { value: 'a', score: 1.5 },
        { value: 'b', score: -Infinity },
      ]),
    ).toEqual(['ZADD', 'z', '1.5', 'a', '-inf', 'b']);
    expect(argv('zAdd', 'z', { value: 'a', score: 1 }, { NX: true, CH: true })).toEqual(['ZADD', 'z', 'NX', 'CH', '1', 'a']);
    expect(argv('zAdd', 'z', { value: 'a', score: 1 }, { XX: true, GT: true })).toEqual(['ZADD', 'z', 'XX', 'GT', '1', 'a']);
    expect(argv('zAdd', 'z', { value: 'a', score: 1 }, { condition: 'XX', comparison: 'LT' })).toEqual([
      'ZADD', 'z', 'XX', 'LT', '1', 'a',
    ]);
    expect(argv('zAddIncr', 'z', { value: 'a', score: 2 }, { XX: true })).toEqual(['ZADD', 'z', 'XX', 'INCR', '2', 'a']);
    expect(argv('zIncrBy', 'z', 2.5, 'a')).toEqual(['ZINCRBY', 'z', '2.5', 'a']);
  });

  it('score, rank and count commands', () => {
    expect(argv('zScore', 'z', 'a')).toEqual(['ZSCORE', 'z', 'a']);
    expect(argv('zmScore', 'z', ['a', 'b'])).toEqual(['ZMSCORE', 'z', 'a', 'b']);
    expect(argv('zRank', 'z', 'a')).toEqual(['ZRANK', 'z', 'a']);
    expect(argv('zRevRank', 'z', 'a')).toEqual(['ZREVRANK', 'z', 'a']);
    expect(argv('zRankWithScore', 'z', 'a')).toEqual(['ZRANK', 'z', 'a', 'WITHSCORE']);
    expect(argv('zRevRankWithScore', 'z', 'a')).toEqual(['ZREVRANK', 'z', 'a', 'WITHSCORE']);
    expect(argv('zCard', 'z')).toEqual(['ZCARD', 'z']);
    expect(argv('zCount', 'z', -Infinity, '(5')).toEqual(['ZCOUNT', 'z', '-inf', '(5']);
    expect(argv('zLexCount', 'z', '[a', '+')).toEqual(['ZLEXCOUNT', 'z', '[a', '+']);
    expect(argv('zRem', 'z', ['a', 'b'])).toEqual(['ZREM', 'z', 'a', 'b']);
    expect(argv('zRemRangeByScore', 'z', 0, Infinity)).toEqual(['ZREMRANGEBYSCORE', 'z', '0', '+inf']);
    expect(argv('zRemRangeByRank', 'z', 0, 1)).toEqual(['ZREMRANGEBYRANK', 'z', 0, 1]);
    expect(argv('zRemRangeByLex', 'z', '-', '(c')).toEqual(['ZREMRANGEBYLEX', 'z', '-', '(c']);
    expect(argv('zRandMember', 'z')).toEqual(['ZRANDMEMBER', 'z']);
    expect(argv('zRandMemberCount', 'z', 3)).toEqual(['ZRANDMEMBER', 'z', 3]);
    expect(argv('zRandMemberCountWithScores', 'z', 3)).toEqual(['ZRANDMEMBER', 'z', 3, 'WITHSCORES']);
    expect(argv('zScan', 'z', '0', { COUNT: 20 })).toEqual(['ZSCAN', 'z', '0', 'COUNT', 20]);
  });

  it('ZRANGE with BYSCORE/BYLEX/REV/LIMIT, and WITHSCORES', () => {
    expect(argv('zRange', 'z', 0, -1)).toEqual(['ZRANGE', 'z', '0', '-1']);
    expect(argv('zRange', 'z', '(1', Infinity, { BY: 'SCORE', LIMIT: { offset: 0, count: 10 } })).toEqual([
      'ZRANGE', 'z', '(1', '+inf', 'BYSCORE', 'LIMIT', 0, 10,
    ]);
    expect(argv('zRange', 'z', '[c', '[a', { BY: 'LEX', REV: true })).toEqual(['ZRANGE', 'z', '[c', '[a', 'BYLEX', 'REV']);
    expect(argv('zRangeWithScores', 'z', 0, 1, { REV: true })).toEqual(['ZRANGE', 'z', '0', '1', 'REV', 'WITHSCORES']);
    expect(argv('zRangeByScore', 'z', '-inf', 10, { LIMIT: { offset: 1, count: 2 } })).toEqual([
      'ZRANGEBYSCORE', 'z', '-inf', '10', 'LIMIT', 1, 2,
    ]);
    expect(argv('zRangeByScoreWithScores', 'z', 0, 10)).toEqual(['ZRANGEBYSCORE', 'z', '0', '10', 'WITHSCORES']);
  });

  it('pops, blocking pops (timeout in seconds) and multi-pops', () => {
    expect(argv('zPopMin', 'z')).toEqual(['ZPOPMIN', 'z']);
    expect(argv('zPopMax', 'z')).toEqual(['ZPOPMAX', 'z']);
    expect(argv('zPopMinCount', 'z', 2)).toEqual(['ZPOPMIN', 'z', 2]);
    expect(argv('zPopMaxCount', 'z', 2)).toEqual(['ZPOPMAX', 'z', 2]);
    const bz = argv('bzPopMin', ['{z}a', '{z}b'], 1.5);
    expect(bz).toEqual(['BZPOPMIN', '{z}a', '{z}b', 1.5]);
    expect(commandInfo(bz)).toMatchObject({ keys: ['{z}a', '{z}b'], blocking: true });
    expect(argv('bzPopMax', 'z', 0)).toEqual(['BZPOPMAX', 'z', 0]);
    const zmpop = argv('zmPop', ['a', 'b'], 'MIN', { COUNT: 2 });
    expect(zmpop).toEqual(['ZMPOP', 2, 'a', 'b', 'MIN', 'COUNT', 2]);
    expect(keysOf(zmpop)).toEqual(['a', 'b']);
    const bzmpop = argv('bzmPop', 0, 'a', 'MAX');
    expect(bzmpop).toEqual(['BZMPOP', 0, 1, 'a', 'MAX']);
    expect(commandInfo(bzmpop)).toMatchObject({ keys: ['a'], blocking: true });
  });

  it('ZUNIONSTORE/ZINTERSTORE with weights and AGGREGATE, ZDIFF', () => {
    const union = argv('zUnionStore', '{z}d', ['{z}a', '{z}b']);
    expect(union).toEqual(['ZUNIONSTORE', '{z}d', 2, '{z}a', '{z}b']);
    expect(keysOf(union)).toEqual(['{z}d', '{z}a', '{z}b']);
    expect(
      argv('zInterStore', 'd', [
        { key: 'a', weight: 2 },
        { key: 'b', weight: 0.5 },
      ], { AGGREGATE: 'MAX' }),
    ).toEqual(['ZINTERSTORE', 'd', 2, 'a', 'b', 'WEIGHTS', '2', '0.5', 'AGGREGATE', 'MAX']);
    expect(argv('zUnionStore', 'd', 'a')).toEqual(['ZUNIONSTORE', 'd', 1, 'a']);
    expect(argv('zUnionStore', 'd', { key: 'a', weight: 3 })).toEqual(['ZUNIONSTORE', 'd', 1, 'a', 'WEIGHTS', '3']);
    expect(argv('zDiff', ['a', 'b'])).toEqual(['ZDIFF', 2, 'a', 'b']);
    expect(argv('zDiffWithScores', ['a', 'b'])).toEqual(['ZDIFF', 2, 'a', 'b', 'WITHSCORES']);
    expect(clusterRoute(argv('zUnionStore', 'd', ['a', 'b']))).toBeUndefined();
  });
});

describe('sorted sets: transform (RESP2 | RESP3)', () => {
  const members = [
    { value: 'a', score: 1 },
    { value: 'b', score: 2.5 },
  ];

  it('doubles from text (RESP2) and numbers (RESP3)', () => {
    expect(reply('zScore', '1.5')).toBe(1.5);
    expect(reply('zScore', 1.5)).toBe(1.5);
    expect(reply('zScore', null)).toBeNull();
    expect(reply('zIncrBy', '3')).toBe(3);
    expect(reply('zIncrBy', 3)).toBe(3);
    expect(reply('zAddIncr', null)).toBeNull();
    expect(reply('zAddIncr', '-inf')).toBe(-Infinity);
    expect(reply('zmScore', ['1', null])).toEqual([1, null]);
    expect(reply('zmScore', [1, null])).toEqual([1, null]);
    expect(reply('zAdd', 2)).toBe(2);
  });

  it('WITHSCORES replies → { value, score }[]', () => {
    for (const name of ['zRangeWithScores', 'zRangeByScoreWithScores', 'zPopMinCount', 'zPopMaxCount', 'zDiffWithScores', 'zRandMemberCountWithScores'] as const) {
      expect([name, reply(name, ['a', '1', 'b', '2.5'])]).toEqual([name, members]);
      expect([name, reply(name, [['a', 1], ['b', 2.5]])]).toEqual([name, members]);
    }
  });

  it('ZPOPMIN/ZPOPMAX without count → one member or null', () => {
    expect(reply('zPopMin', ['a', '1'])).toEqual({ value: 'a', score: 1 });
    expect(reply('zPopMax', ['a', 1])).toEqual({ value: 'a', score: 1 });
    expect(reply('zPopMin', [])).toBeNull();
  });

  it('ZRANK … WITHSCORE → { rank, score } or null', () => {
    expect(reply('zRankWithScore', [2, '1.5'])).toEqual({ rank: 2, score: 1.5 });
    expect(reply('zRevRankWithScore', [0, 1.5])).toEqual({ rank: 0, score: 1.5 });
    expect(reply('zRankWithScore', null)).toBeNull();
  });

  it('BZPOPMIN/BZPOPMAX → { key, value, score } or null', () => {
    expect(reply('bzPopMin', ['z', 'a', '1'])).toEqual({ key: 'z', value: 'a', score: 1 });
    expect(reply('bzPopMax', ['z', 'a', 1])).toEqual({ key: 'z', value: 'a', score: 1 });
    expect(reply('bzPopMin', null)).toBeNull();
  });

  it('ZMPOP/BZMPOP → { key, members } or null', () => {
    const expected = { key: 'z', members };
    expect(reply('zmPop', ['z', [['a', '1'], ['b', '2.5']]])).toEqual(expected);
    expect(reply('bzmPop', ['z', [['a', 1], ['b', 2.5]]])).toEqual(expected);
    expect(reply('zmPop', null)).toBeNull();
  });

  it('ZSCAN → { cursor, members } (flat in both protocols)', () => {
    expect(reply('zScan', ['0', ['a', '1', 'b', '2.5']])).toEqual({ cursor: '0', members });
  });
});
