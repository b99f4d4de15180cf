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

describe('sets: build', () => {
  it('member commands', () => {
    expect(argv('sAdd', 's', 'a')).toEqual(['SADD', 's', 'a']);
    expect(argv('sAdd', 's', ['a', 'b'])).toEqual(['SADD', 's', 'a', 'b']);
    expect(argv('sRem', 's', ['a'])).toEqual(['SREM', 's', 'a']);
    expect(argv('sMembers', 's')).toEqual(['SMEMBERS', 's']);
    expect(argv('sIsMember', 's', 'a')).toEqual(['SISMEMBER', 's', 'a']);
    expect(argv('smIsMember', 's', ['a', 'b'])).toEqual(['SMISMEMBER', 's', 'a', 'b']);
    expect(argv('sCard', 's')).toEqual(['SCARD', 's']);
    expect(argv('sPop', 's')).toEqual(['SPOP', 's']);
    expect(argv('sPopCount', 's', 2)).toEqual(['SPOP', 's', 2]);
    expect(argv('sRandMember', 's')).toEqual(['SRANDMEMBER', 's']);
    expect(argv('sRandMemberCount', 's', -5)).toEqual(['SRANDMEMBER', 's', -5]);
  });

  it('multi-set commands name every key (atomic: no split)', () => {
    const smove = argv('sMove', '{s}a', '{s}b', 'm');
    expect(smove).toEqual(['SMOVE', '{s}a', '{s}b', 'm']);
    expect(keysOf(smove)).toEqual(['{s}a', '{s}b']);
    expect(argv('sInter', ['a', 'b'])).toEqual(['SINTER', 'a', 'b']);
    const card = argv('sInterCard', ['a', 'b'], { LIMIT: 5 });
    expect(card).toEqual(['SINTERCARD', 2, 'a', 'b', 'LIMIT', 5]);
    expect(keysOf(card)).toEqual(['a', 'b']);
    expect(argv('sInterCard', 'a', 3)).toEqual(['SINTERCARD', 1, 'a', 'LIMIT', 3]);
    expect(argv('sInterCard', ['a'])).toEqual(['SINTERCARD', 1, 'a']);
    const store = argv('sInterStore', 'd', ['a', 'b']);
    expect(store).toEqual(['SINTERSTORE', 'd', 'a', 'b']);
    expect(keysOf(store)).toEqual(['d', 'a', 'b']);
    expect(argv('sUnion', 'a')).toEqual(['SUNION', 'a']);
    expect(argv('sUnionStore', 'd', ['a', 'b'])).toEqual(['SUNIONSTORE', 'd', 'a', 'b']);
    expect(argv('sDiff', ['a', 'b'])).toEqual(['SDIFF', 'a', 'b']);
    expect(argv('sDiffStore', 'd', 'a')).toEqual(['SDIFFSTORE', 'd', 'a']);
    for (const argvOf of [argv('sMove', 'a', 'b', 'm'), argv('sInter', ['a', 'b']), argv('sUnionStore', 'd', ['a', 'b']), argv('sDiff', ['a', 'b'])]) {
      expect([argvOf[0], clusterRoute(argvOf)]).toEqual([argvOf[0], undefined]);
    }
  });

  it('SSCAN', () => {
    expect(argv('sScan', 's', '0', { MATCH: 'a*', COUNT: 5 })).toEqual(['SSCAN', 's', '0', 'MATCH', 'a*', 'COUNT', 5]);
  });
});

describe('sets: transform', () => {
  it('SSCAN → { cursor, members }', () => {
    expect(reply('sScan', ['12', ['a', 'b']])).toEqual({ cursor: '12', members: ['a', 'b'] });
  });

  it('passes arrays (RESP3 sets are arrays too), numbers and null through', () => {
    expect(reply('sMembers', ['a', 'b'])).toEqual(['a', 'b']);
    expect(reply('smIsMember', [1, 0])).toEqual([1, 0]);
    expect(reply('sPop', null)).toBeNull();
    expect(reply('sCard', 2)).toBe(2);
  });
});
