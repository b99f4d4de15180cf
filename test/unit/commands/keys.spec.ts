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

describe('keys: build', () => {
  it('DEL / UNLINK / EXISTS / TOUCH take one key or several and sum across slots', () => {
    expect(argv('del', 'k')).toEqual(['DEL', 'k']);
    expect(argv('del', ['a', 'b'])).toEqual(['DEL', 'a', 'b']);
    expect(argv('unlink', ['a', 'b'])).toEqual(['UNLINK', 'a', 'b']);
    expect(argv('exists', ['a', 'a'])).toEqual(['EXISTS', 'a', 'a']);
    expect(argv('touch', 'a')).toEqual(['TOUCH', 'a']);
    for (const name of ['del', 'unlink', 'exists', 'touch'] as const) {
      expect([name, clusterRoute(argv(name, ['a', 'b']))]).toEqual([name, { kind: 'split', split: 'sum', step: 1 }]);
    }
    expect(keysOf(argv('del', ['a', 'b']))).toEqual(['a', 'b']);
  });

  it('expiry commands: seconds, milliseconds, Dates, modes', () => {
    const date = new Date(1700000000999);
    expect(argv('expire', 'k', 10)).toEqual(['EXPIRE', 'k', 10]);
    expect(argv('expire', 'k', 10, 'NX')).toEqual(['EXPIRE', 'k', 10, 'NX']);
    expect(argv('pExpire', 'k', 1500, 'GT')).toEqual(['PEXPIRE', 'k', 1500, 'GT']);
    expect(argv('expireAt', 'k', date)).toEqual(['EXPIREAT', 'k', 1700000000]);
    expect(argv('expireAt', 'k', 1700000000, 'LT')).toEqual(['EXPIREAT', 'k', 1700000000, 'LT']);
    expect(argv('pExpireAt', 'k', date)).toEqual(['PEXPIREAT', 'k', 1700000000999]);
    expect(argv('expireTime', 'k')).toEqual(['EXPIRETIME', 'k']);
    expect(argv('pExpireTime', 'k')).toEqual(['PEXPIRETIME', 'k']);
    expect(argv('ttl', 'k')).toEqual(['TTL', 'k']);
    expect(argv('pTTL', 'k')).toEqual(['PTTL', 'k']);
    expect(argv('persist', 'k')).toEqual(['PERSIST', 'k']);
  });

  it('TYPE / RENAME / RENAMENX / COPY / DUMP / RESTORE', () => {
    expect(argv('type', 'k')).toEqual(['TYPE', 'k']);
    const rename = argv('rename', '{a}1', '{a}2');
    expect(rename).toEqual(['RENAME', '{a}1', '{a}2']);
    expect(keysOf(rename)).toEqual(['{a}1', '{a}2']);
    expect(argv('renameNX', 'a', 'b')).toEqual(['RENAMENX', 'a', 'b']);
    expect(argv('copy', 'a', 'b')).toEqual(['COPY', 'a', 'b']);
    expect(argv('copy', 'a', 'b', { DB: 1, REPLACE: true })).toEqual(['COPY', 'a', 'b', 'DB', 1, 'REPLACE']);
    expect(argv('dump', 'k')).toEqual(['DUMP', 'k']);
    expect(COMMANDS.dump.buffers).toBe(true);
    const payload = Buffer.from([0, 1, 2, 255]);
    expect(argv('restore', 'k', 0, payload)).toEqual(['RESTORE', 'k', 0, payload]);
    expect(argv('restore', 'k', 100, payload, { REPLACE: true, ABSTTL: true, IDLETIME: 5, FREQ: 3 })).toEqual([
      'RESTORE', 'k', 100, payload, 'REPLACE', 'ABSTTL', 'IDLETIME', 5, 'FREQ', 3,
    ]);
  });

  it('OBJECT subcommands route by their key', () => {
    for (const [name, sub] of [
      ['objectEncoding', 'ENCODING'],
      ['objectFreq', 'FREQ'],
      ['objectIdleTime', 'IDLETIME'],
    ] as const) {
      const args = argv(name, 'k');
      expect(args).toEqual(['OBJECT', sub, 'k']);
      expect(commandInfo(args)).toMatchObject({ subcommand: sub, keys: ['k'], readOnly: true });
    }
  });

  it('SCAN with MATCH, COUNT and TYPE', () => {
    expect(argv('scan', '0')).toEqual(['SCAN', '0']);
    expect(argv('scan', '17', { MATCH: 'user:*', COUNT: 100, TYPE: 'hash' })).toEqual([
      'SCAN', '17', 'MATCH', 'user:*', 'COUNT', 100, 'TYPE', 'hash',
    ]);
    expect(commandInfo(argv('scan', '0')).noKeys).toBe(true);
  });
});

describe('keys: transform', () => {
  it('SCAN → { cursor, keys } from RESP2 and RESP3 replies', () => {
    expect(reply('scan', ['42', ['a', 'b']])).toEqual({ cursor: '42', keys: ['a', 'b'] });
    expect(reply('scan', ['0', []])).toEqual({ cursor: '0', keys: [] });
    expect(reply('scan', [Buffer.from('0'), [Buffer.from('k')]])).toEqual({ cursor: '0', keys: ['k'] });
  });

  it('passes numbers, OK, types and null through', () => {
    expect(reply('del', 2)).toBe(2);
    expect(reply('ttl', -2)).toBe(-2);
    expect(reply('type', 'hash')).toBe('hash');
    expect(reply('rename', 'OK')).toBe('OK');
    expect(reply('objectEncoding', null)).toBeNull();
    expect(reply('objectFreq', 3)).toBe(3);
    const payload = Buffer.from([1, 2]);
    expect(reply('dump', payload)).toBe(payload);
  });
});
