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

/** A RESP3 map as the decoder delivers it. */
function map(entries: Record<string, RespValue>): RespValue {
  return Object.assign(Object.create(null) as Record<string, RespValue>, entries);
}

describe('hashes: build', () => {
  it('HSET with field/value, object, Map, tuples and a flat list', () => {
    expect(argv('hSet', 'h', 'f', 'v')).toEqual(['HSET', 'h', 'f', 'v']);
    expect(argv('hSet', 'h', 'f', 1)).toEqual(['HSET', 'h', 'f', 1]);
    expect(argv('hSet', 'h', { a: '1', b: 2 })).toEqual(['HSET', 'h', 'a', '1', 'b', 2]);
    expect(argv('hSet', 'h', new Map<RedisArgument, RedisArgument>([['a', '1'], [Buffer.from('b'), 2]]))).toEqual([
      'HSET', 'h', 'a', '1', Buffer.from('b'), 2,
    ]);
    expect(argv('hSet', 'h', [['a', '1'], ['b', '2']])).toEqual(['HSET', 'h', 'a', '1', 'b', '2']);
    expect(argv('hSet', 'h', ['a', '1', 'b', '2'])).toEqual(['HSET', 'h', 'a', '1', 'b', '2']);
    expect(keysOf(argv('hSet', 'h', { a: '1' }))).toEqual(['h']);
  });

  it('field commands', () => {
    expect(argv('hGet', 'h', 'f')).toEqual(['HGET', 'h', 'f']);
    expect(argv('hGetAll', 'h')).toEqual(['HGETALL', 'h']);
    expect(argv('hmGet', 'h', ['a', 'b'])).toEqual(['HMGET', 'h', 'a', 'b']);
    expect(argv('hDel', 'h', 'a')).toEqual(['HDEL', 'h', 'a']);
    expect(argv('hDel', 'h', ['a', 'b'])).toEqual(['HDEL', 'h', 'a', 'b']);
    expect(argv('hExists', 'h', 'f')).toEqual(['HEXISTS', 'h', 'f']);
    expect(argv('hIncrBy', 'h', 'f', 2)).toEqual(['HINCRBY', 'h', 'f', 2]);
    expect(argv('hIncrByFloat', 'h', 'f', 0.5)).toEqual(['HINCRBYFLOAT', 'h', 'f', 0.5]);
    expect(argv('hKeys', 'h')).toEqual(['HKEYS', 'h']);
    expect(argv('hVals', 'h')).toEqual(['HVALS', 'h']);
    expect(argv('hLen', 'h')).toEqual(['HLEN', 'h']);
    expect(argv('hSetNX', 'h', 'f', 'v')).toEqual(['HSETNX', 'h', 'f', 'v']);
    expect(argv('hStrLen', 'h', 'f')).toEqual(['HSTRLEN', 'h', 'f']);
    expect(argv('hRandField', 'h')).toEqual(['HRANDFIELD', 'h']);
    expect(argv('hRandFieldCount', 'h', -3)).toEqual(['HRANDFIELD', 'h', -3]);
    expect(argv('hRandFieldCountWithValues', 'h', 2)).toEqual(['HRANDFIELD', 'h', 2, 'WITHVALUES']);
  });

  it('HSCAN with MATCH and COUNT', () => {
    expect(argv('hScan', 'h', '0')).toEqual(['HSCAN', 'h', '0']);
    expect(argv('hScan', 'h', '5', { MATCH: 'f*', COUNT: 10 })).toEqual(['HSCAN', 'h', '5', 'MATCH', 'f*', 'COUNT', 10]);
  });
});

describe('hashes: transform', () => {
  it('HGETALL → object from a RESP2 flat array or a RESP3 map', () => {
    expect(reply('hGetAll', ['a', '1', 'b', '2'])).toEqual({ a: '1', b: '2' });
    expect(reply('hGetAll', map({ a: '1', b: '2' }))).toEqual({ a: '1', b: '2' });
    expect(reply('hGetAll', [])).toEqual({});
    expect(reply('hGetAll', map({}))).toEqual({});
  });

  it('HRANDFIELD … WITHVALUES → { field, value }[] (RESP2 flat, RESP3 pairs)', () => {
    const expected = [
      { field: 'a', value: '1' },
      { field: 'b', value: '2' },
    ];
    expect(reply('hRandFieldCountWithValues', ['a', '1', 'b', '2'])).toEqual(expected);
    expect(reply('hRandFieldCountWithValues', [['a', '1'], ['b', '2']])).toEqual(expected);
    expect(reply('hRandFieldCountWithValues', [])).toEqual([]);
  });

  it('HSCAN → { cursor, entries }', () => {
    expect(reply('hScan', ['0', ['a', '1', 'b', '2']])).toEqual({
      cursor: '0',
      entries: [
        { field: 'a', value: '1' },
        { field: 'b', value: '2' },
      ],
    });
  });

  it('passes the rest through', () => {
    expect(reply('hGet', null)).toBeNull();
    expect(reply('hmGet', ['1', null])).toEqual(['1', null]);
    expect(reply('hSet', 2)).toBe(2);
    expect(reply('hIncrByFloat', '10.5')).toBe('10.5');
  });
});
