import { describe, expect, it } from '@jest/globals';
import type { CommandDefinition } from '../../../lib/engine/commands/command-definition.js';
import { commandInfo } from '../../../lib/engine/commands/command-info.js';
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

describe('lists: build', () => {
  it('push and pop', () => {
    expect(argv('lPush', 'l', 'a')).toEqual(['LPUSH', 'l', 'a']);
    expect(argv('lPush', 'l', ['a', 'b'])).toEqual(['LPUSH', 'l', 'a', 'b']);
    expect(argv('rPush', 'l', ['a', 'b'])).toEqual(['RPUSH', 'l', 'a', 'b']);
    expect(argv('lPushX', 'l', 'a')).toEqual(['LPUSHX', 'l', 'a']);
    expect(argv('rPushX', 'l', ['a'])).toEqual(['RPUSHX', 'l', 'a']);
    expect(argv('lPop', 'l')).toEqual(['LPOP', 'l']);
    expect(argv('rPop', 'l')).toEqual(['RPOP', 'l']);
    expect(argv('lPopCount', 'l', 3)).toEqual(['LPOP', 'l', 3]);
    expect(argv('rPopCount', 'l', 3)).toEqual(['RPOP', 'l', 3]);
  });

  it('index and range commands', () => {
    expect(argv('lRange', 'l', 0, -1)).toEqual(['LRANGE', 'l', 0, -1]);
    expect(argv('lLen', 'l')).toEqual(['LLEN', 'l']);
    expect(argv('lIndex', 'l', -1)).toEqual(['LINDEX', 'l', -1]);
    expect(argv('lSet', 'l', 0, 'x')).toEqual(['LSET', 'l', 0, 'x']);
    expect(argv('lInsert', 'l', 'BEFORE', 'p', 'x')).toEqual(['LINSERT', 'l', 'BEFORE', 'p', 'x']);
    expect(argv('lRem', 'l', -2, 'x')).toEqual(['LREM', 'l', -2, 'x']);
    expect(argv('lTrim', 'l', 1, 5)).toEqual(['LTRIM', 'l', 1, 5]);
    expect(argv('lPos', 'l', 'x')).toEqual(['LPOS', 'l', 'x']);
    expect(argv('lPos', 'l', 'x', { RANK: -1, MAXLEN: 10 })).toEqual(['LPOS', 'l', 'x', 'RANK', -1, 'MAXLEN', 10]);
    expect(argv('lPosCount', 'l', 'x', 0, { RANK: 2 })).toEqual(['LPOS', 'l', 'x', 'RANK', 2, 'COUNT', 0]);
  });

  it('moves and multi-pops name every key', () => {
    const lmove = argv('lMove', '{q}a', '{q}b', 'LEFT', 'RIGHT');
    expect(lmove).toEqual(['LMOVE', '{q}a', '{q}b', 'LEFT', 'RIGHT']);
    expect(keysOf(lmove)).toEqual(['{q}a', '{q}b']);
    expect(argv('rPopLPush', 'a', 'b')).toEqual(['RPOPLPUSH', 'a', 'b']);
    const lmpop = argv('lmPop', ['{q}a', '{q}b'], 'LEFT', { COUNT: 2 });
    expect(lmpop).toEqual(['LMPOP', 2, '{q}a', '{q}b', 'LEFT', 'COUNT', 2]);
    expect(keysOf(lmpop)).toEqual(['{q}a', '{q}b']);
    expect(argv('lmPop', 'a', 'RIGHT')).toEqual(['LMPOP', 1, 'a', 'RIGHT']);
  });

  it('blocking commands put the timeout (seconds) where Redis expects it', () => {
    const blpop = argv('blPop', ['{q}a', '{q}b'], 0.5);
    expect(blpop).toEqual(['BLPOP', '{q}a', '{q}b', 0.5]);
    expect(commandInfo(blpop)).toMatchObject({ keys: ['{q}a', '{q}b'], blocking: true });
    expect(argv('brPop', 'a', 0)).toEqual(['BRPOP', 'a', 0]);
    const blmove = argv('blMove', 'a', 'b', 'RIGHT', 'LEFT', 2);
    expect(blmove).toEqual(['BLMOVE', 'a', 'b', 'RIGHT', 'LEFT', 2]);
    expect(commandInfo(blmove)).toMatchObject({ keys: ['a', 'b'], blocking: true });
    const blmpop = argv('blmPop', 1, ['a', 'b'], 'LEFT', { COUNT: 3 });
    expect(blmpop).toEqual(['BLMPOP', 1, 2, 'a', 'b', 'LEFT', 'COUNT', 3]);
    expect(commandInfo(blmpop)).toMatchObject({ keys: ['a', 'b'], blocking: true });
    expect(argv('brPopLPush', 'a', 'b', 0)).toEqual(['BRPOPLPUSH', 'a', 'b', 0]);
  });
});

describe('lists: transform', () => {
  it('BLPOP/BRPOP → { key, element } or null', () => {
    expect(reply('blPop', ['q', 'x'])).toEqual({ key: 'q', element: 'x' });
    expect(reply('brPop', [Buffer.from('q'), Buffer.from('x')])).toEqual({ key: 'q', element: 'x' });
    expect(reply('blPop', null)).toBeNull();
  });

  it('LMPOP/BLMPOP keep the [key, elements] tuple', () => {
    expect(reply('lmPop', ['q', ['a', 'b']])).toEqual(['q', ['a', 'b']]);
    expect(reply('blmPop', null)).toBeNull();
  });

  it('passes the rest through', () => {
    expect(reply('lPop', null)).toBeNull();
    expect(reply('lPopCount', ['a', 'b'])).toEqual(['a', 'b']);
    expect(reply('lPopCount', null)).toBeNull();
    expect(reply('lPos', null)).toBeNull();
    expect(reply('lPosCount', [0, 3])).toEqual([0, 3]);
    expect(reply('lRange', ['a'])).toEqual(['a']);
    expect(reply('lMove', 'x')).toBe('x');
  });
});
