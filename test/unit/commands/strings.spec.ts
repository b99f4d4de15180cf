import { ArgumentError } from '../../../lib/engine/errors/base.error.js';
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

describe('strings: build', () => {
  it('GET / GETDEL / STRLEN / INCR / DECR', () => {
    expect(argv('get', 'k')).toEqual(['GET', 'k']);
    expect(argv('getDel', 'k')).toEqual(['GETDEL', 'k']);
    expect(argv('strLen', 'k')).toEqual(['STRLEN', 'k']);
    expect(argv('incr', 'k')).toEqual(['INCR', 'k']);
    expect(argv('decr', 'k')).toEqual(['DECR', 'k']);
    expect(argv('incrBy', 'k', 5)).toEqual(['INCRBY', 'k', 5]);
    expect(argv('decrBy', 'k', 2)).toEqual(['DECRBY', 'k', 2]);
    expect(argv('incrByFloat', 'k', 1.5)).toEqual(['INCRBYFLOAT', 'k', 1.5]);
  });

  it('SET with every option shape', () => {
    expect(argv('set', 'k', 'v')).toEqual(['SET', 'k', 'v']);
    expect(argv('set', 'k', 12)).toEqual(['SET', 'k', 12]);
    expect(argv('set', 'k', 'v', { EX: 10 })).toEqual(['SET', 'k', 'v', 'EX', 10]);
    expect(argv('set', 'k', 'v', { PX: 100, NX: true })).toEqual(['SET', 'k', 'v', 'PX', 100, 'NX']);
    expect(argv('set', 'k', 'v', { EXAT: 1700000000, XX: true, GET: true })).toEqual([
      'SET', 'k', 'v', 'EXAT', 1700000000, 'XX', 'GET',
    ]);
    expect(argv('set', 'k', 'v', { PXAT: 1700000000000 })).toEqual(['SET', 'k', 'v', 'PXAT', 1700000000000]);
    expect(argv('set', 'k', 'v', { KEEPTTL: true })).toEqual(['SET', 'k', 'v', 'KEEPTTL']);
    expect(argv('set', 'k', 'v', { expiration: { type: 'EX', value: 5 } })).toEqual(['SET', 'k', 'v', 'EX', 5]);
    expect(argv('set', 'k', 'v', { expiration: 'KEEPTTL', condition: 'NX' })).toEqual(['SET', 'k', 'v', 'KEEPTTL', 'NX']);
    expect(argv('set', 'k', 'v', { condition: 'IFEQ', matchValue: 'old' })).toEqual(['SET', 'k', 'v', 'IFEQ', 'old']);
    // The first expiry wins, like node-redis.
    expect(argv('set', 'k', 'v', { EX: 1, PX: 2 })).toEqual(['SET', 'k', 'v', 'EX', 1]);
  });

  it('GETEX with both option styles and Dates', () => {
    const date = new Date(1700000000123);
    expect(argv('getEx', 'k', { EX: 5 })).toEqual(['GETEX', 'k', 'EX', 5]);
    expect(argv('getEx', 'k', { PX: 5 })).toEqual(['GETEX', 'k', 'PX', 5]);
    expect(argv('getEx', 'k', { EXAT: date })).toEqual(['GETEX', 'k', 'EXAT', 1700000000]);
    expect(argv('getEx', 'k', { PXAT: date })).toEqual(['GETEX', 'k', 'PXAT', 1700000000123]);
    expect(argv('getEx', 'k', { PERSIST: true })).toEqual(['GETEX', 'k', 'PERSIST']);
    expect(argv('getEx', 'k', { type: 'EXAT', value: date })).toEqual(['GETEX', 'k', 'EXAT', 1700000000]);
    expect(argv('getEx', 'k', { type: 'PERSIST' })).toEqual(['GETEX', 'k', 'PERSIST']);
  });

  it('ranges, APPEND, SETNX, SETEX, PSETEX, LCS', () => {
    expect(argv('getRange', 'k', 0, -1)).toEqual(['GETRANGE', 'k', 0, -1]);
    expect(argv('setRange', 'k', 3, 'x')).toEqual(['SETRANGE', 'k', 3, 'x']);
    expect(argv('append', 'k', 'x')).toEqual(['APPEND', 'k', 'x']);
    expect(argv('setNX', 'k', 'v')).toEqual(['SETNX', 'k', 'v']);
    expect(argv('setEx', 'k', 10, 'v')).toEqual(['SETEX', 'k', 10, 'v']);
    expect(argv('pSetEx', 'k', 1500, 'v')).toEqual(['PSETEX', 'k', 1500, 'v']);
    const lcs = argv('lcs', '{t}a', '{t}b');
    expect(lcs).toEqual(['LCS', '{t}a', '{t}b']);
    expect(keysOf(lcs)).toEqual(['{t}a', '{t}b']);
  });

  it('MGET / MSET / MSETNX and their split policies', () => {
    const mget = argv('mGet', ['a', 'b']);
    expect(mget).toEqual(['MGET', 'a', 'b']);
    expect(keysOf(mget)).toEqual(['a', 'b']);
    expect(clusterRoute(mget)).toEqual({ kind: 'split', split: 'concat', step: 1 });

    expect(argv('mSet', { a: '1', b: '2' })).toEqual(['MSET', 'a', '1', 'b', '2']);
    expect(argv('mSet', [['a', '1'], ['b', 2]])).toEqual(['MSET', 'a', '1', 'b', 2]);
    expect(argv('mSet', ['a', '1', 'b', '2'])).toEqual(['MSET', 'a', '1', 'b', '2']);
    expect(keysOf(argv('mSet', { a: '1', b: '2' }))).toEqual(['a', 'b']);
    expect(clusterRoute(argv('mSet', { a: '1', b: '2' }))).toEqual({ kind: 'split', split: 'all-ok', step: 2 });
    expect(() => argv('mSet', [])).toThrow(ArgumentError);
    expect(() => argv('mSet', {})).toThrow(ArgumentError);
    // A key without its value is refused, never dropped.
    expect(() => argv('mSet', ['a', '1', 'b'])).toThrow(ArgumentError);
    expect(() => argv('mSet', [['a', '1'], ['b']] as never)).toThrow(ArgumentError);

    expect(argv('mSetNX', { '{u}a': '1', '{u}b': '2' })).toEqual(['MSETNX', '{u}a', '1', '{u}b', '2']);
    expect(clusterRoute(argv('mSetNX', { '{u}a': '1', '{u}b': '2' }))).toBeUndefined();
  });
});

describe('strings: transform (RESP2 and RESP3 replies are the same shape)', () => {
  it('passes strings, numbers, OK and null through', () => {
    expect(reply('get', 'v')).toBe('v');
    expect(reply('get', null)).toBeNull();
    expect(reply('set', 'OK')).toBe('OK');
    expect(reply('set', null)).toBeNull();
    expect(reply('incr', 3)).toBe(3);
    expect(reply('incrByFloat', '1.5')).toBe('1.5');
    expect(reply('mGet', ['a', null])).toEqual(['a', null]);
    expect(reply('mSet', 'OK')).toBe('OK');
    expect(reply('setNX', 1)).toBe(1);
  });
});

describe('bits', () => {
  it('build', () => {
    expect(argv('setBit', 'k', 7, 1)).toEqual(['SETBIT', 'k', 7, 1]);
    expect(argv('getBit', 'k', 7)).toEqual(['GETBIT', 'k', 7]);
    expect(argv('bitCount', 'k')).toEqual(['BITCOUNT', 'k']);
    expect(argv('bitCount', 'k', { start: 0, end: 10, mode: 'BIT' })).toEqual(['BITCOUNT', 'k', 0, 10, 'BIT']);
    expect(argv('bitPos', 'k', 1)).toEqual(['BITPOS', 'k', 1]);
    expect(argv('bitPos', 'k', 0, 2, 5, 'BYTE')).toEqual(['BITPOS', 'k', 0, 2, 5, 'BYTE']);
    const bitop = argv('bitOp', 'AND', '{b}dst', ['{b}1', '{b}2']);
    expect(bitop).toEqual(['BITOP', 'AND', '{b}dst', '{b}1', '{b}2']);
    expect(keysOf(bitop)).toEqual(['{b}dst', '{b}1', '{b}2']);
    expect(argv('bitOp', 'NOT', 'dst', 'src')).toEqual(['BITOP', 'NOT', 'dst', 'src']);
    expect(
      argv('bitField', 'k', [
        { operation: 'OVERFLOW', behavior: 'SAT' },
        { operation: 'SET', encoding: 'u8', offset: 0, value: 255 },
        { operation: 'INCRBY', encoding: 'i5', offset: '#1', increment: 3 },
        { operation: 'GET', encoding: 'u4', offset: 0 },
      ]),
    ).toEqual(['BITFIELD', 'k', 'OVERFLOW', 'SAT', 'SET', 'u8', 0, 255, 'INCRBY', 'i5', '#1', 3, 'GET', 'u4', 0]);
    expect(argv('bitFieldRo', 'k', [{ encoding: 'u8', offset: 0 }])).toEqual(['BITFIELD_RO', 'k', 'GET', 'u8', 0]);
    expect(commandInfo(argv('bitFieldRo', 'k', [])).readOnly).toBe(true);
  });

  it('transform', () => {
    expect(reply('getBit', 1)).toBe(1);
    expect(reply('bitField', [1, null, 3])).toEqual([1, null, 3]);
  });
});
