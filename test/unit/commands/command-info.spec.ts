import { describe, expect, it } from '@jest/globals';
import ioredisCommands from '@ioredis/commands';
import { commandInfo, isKnownCommand } from '../../../lib/engine/commands/command-info.js';
import type { RedisArgument } from '../../../lib/engine/resp/types.js';

describe('commandInfo', () => {
  it('GET: one key, read-only', () => {
    const info = commandInfo(['GET', 'k']);
    expect(info).toMatchObject({
      name: 'GET',
      keys: ['k'],
      readOnly: true,
      write: false,
      blocking: false,
      known: true,
      movableKeys: false,
      noKeys: false,
      pubsub: false,
    });
    expect(info.subcommand).toBeUndefined();
  });

  it('accepts any case and Buffer names', () => {
    expect(commandInfo(['get', 'k']).name).toBe('GET');
    expect(commandInfo(['gEt', 'k']).keys).toEqual(['k']);
    expect(commandInfo([Buffer.from('GET'), 'k']).readOnly).toBe(true);
  });

  it('SET: key only, write', () => {
    expect(commandInfo(['SET', 'k', 'v', 'EX', 10, 'NX', 'GET'])).toMatchObject({
      name: 'SET',
      keys: ['k'],
      readOnly: false,
      write: true,
      blocking: false,
    });
  });

  it('returns the original argument objects', () => {
    const key = Buffer.from([0xff, 0xfe, 0x00]);
    const info = commandInfo(['MGET', key, 42, 'x']);
    expect(info.keys).toHaveLength(3);
    expect(info.keys[0]).toBe(key);
    expect(info.keys[1]).toBe(42);
  });

  it('MGET/MSET/DEL: multi-key with their multi_shard policy', () => {
    expect(commandInfo(['MGET', 'a', 'b', 'c'])).toMatchObject({ keys: ['a', 'b', 'c'], readOnly: true, requestPolicy: 'multi_shard' });
    expect(commandInfo(['MSET', 'a', '1', 'b', '2'])).toMatchObject({ keys: ['a', 'b'], write: true });
    expect(commandInfo(['DEL', 'a', 'b'])).toMatchObject({ keys: ['a', 'b'], write: true, responsePolicy: 'agg_sum' });
  });

  it('EVAL/EVALSHA/FCALL: keys from numkeys', () => {
    const info = commandInfo(['EVAL', 'return 1', 2, 'k1', 'k2', 'arg1']);
    expect(info).toMatchObject({ name: 'EVAL', keys: ['k1', 'k2'], movableKeys: true, readOnly: false, write: true });
    expect(commandInfo(['EVAL', 'return 1', '0', 'arg'])).toMatchObject({ keys: [], noKeys: true });
    expect(commandInfo(['EVALSHA', 'abc', Buffer.from('1'), 'k'])).toMatchObject({ keys: ['k'] });
    expect(commandInfo(['EVAL_RO', 's', 1, 'k'])).toMatchObject({ keys: ['k'], readOnly: true, write: false });
    expect(commandInfo(['FCALL', 'fn', 1, 'k', 'a'])).toMatchObject({ keys: ['k'], write: true });
    expect(commandInfo(['FCALL_RO', 'fn', 1, 'k'])).toMatchObject({ keys: ['k'], readOnly: true });
  });

  it('XREAD: keys after STREAMS; blocking only with BLOCK', () => {
    const plain = commandInfo(['XREAD', 'COUNT', 10, 'STREAMS', 's1', 's2', '0', '0']);
    expect(plain).toMatchObject({ keys: ['s1', 's2'], blocking: false, readOnly: true, movableKeys: true });
    const blocking = commandInfo(['XREAD', 'BLOCK', 1000, 'STREAMS', 's1', '$']);
    expect(blocking).toMatchObject({ keys: ['s1'], blocking: true });
    expect(commandInfo(['xread', 'block', '0', 'streams', 's', '$']).blocking).toBe(true);
    expect(commandInfo(['XREAD', Buffer.from('BLOCK'), 5, 'STREAMS', 's', '$']).blocking).toBe(true);
    // A stream named "BLOCK" after STREAMS does not make the call blocking.
    expect(commandInfo(['XREAD', 'STREAMS', 'BLOCK', '0']).blocking).toBe(false);
  });

  it('XREADGROUP: write, keys after STREAMS, blocking only with BLOCK', () => {
    const info = commandInfo(['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', 1, 'NOACK', 'STREAMS', 's', '>']);
    expect(info).toMatchObject({ keys: ['s'], write: true, readOnly: false, blocking: false });
    expect(commandInfo(['XREADGROUP', 'GROUP', 'g', 'c', 'BLOCK', 0, 'STREAMS', 's', '>']).blocking).toBe(true);
  });

  it('blocking commands', () => {
    for (const argv of [
      ['BLPOP', 'a', 'b', 0],
      ['BRPOP', 'a', 1],
      ['BRPOPLPUSH', 'a', 'b', 0],
      ['BLMOVE', 'a', 'b', 'LEFT', 'RIGHT', 0],
      ['BLMPOP', 0, 2, 'a', 'b', 'LEFT'],
      ['BZPOPMIN', 'z', 0],
      ['BZPOPMAX', 'z', 0],
      ['BZMPOP', 1, 1, 'z', 'MIN'],
    ] as RedisArgument[][]) {
      expect([argv[0], commandInfo(argv).blocking]).toEqual([argv[0], true]);
    }
    // WAIT/WAITAOF wait for the writes of their own connection: never moved to a pooled one.
    expect(commandInfo(['WAIT', 1, 0]).blocking).toBe(false);
    expect(commandInfo(['waitaof', 1, 0, 0]).blocking).toBe(false);
    expect(commandInfo(['BLPOP', 'a', 'b', 0]).keys).toEqual(['a', 'b']);
    expect(commandInfo(['BLMPOP', 0, 2, 'a', 'b', 'LEFT']).keys).toEqual(['a', 'b']);
    expect(commandInfo(['BZMPOP', 1, 1, 'z', 'MIN']).keys).toEqual(['z']);
    expect(commandInfo(['LPOP', 'a']).blocking).toBe(false);
  });

  it('ZUNIONSTORE/ZINTERSTORE: destination and numkeys sources', () => {
    expect(commandInfo(['ZUNIONSTORE', 'dst', 2, 'a', 'b', 'WEIGHTS', 1, 2]).keys).toEqual(['dst', 'a', 'b']);
    expect(commandInfo(['ZINTERSTORE', 'dst', '1', 'a', 'AGGREGATE', 'MAX']).keys).toEqual(['dst', 'a']);
    expect(commandInfo(['ZDIFF', 2, 'a', 'b', 'WITHSCORES']).keys).toEqual(['a', 'b']);
  });

  it('SORT … BY/GET/STORE: every key, write', () => {
    const info = commandInfo(['SORT', 'src', 'BY', 'w_*', 'LIMIT', 0, 10, 'GET', '#', 'GET', 'o_*', 'STORE', 'dst']);
    expect(info.keys).toEqual(['src', 'w_*', 'o_*', 'dst']);
    expect(info).toMatchObject({ write: true, readOnly: false, movableKeys: true });
    // Tokens given as Buffers are recognised too.
    expect(commandInfo(['SORT', 'src', Buffer.from('STORE'), 'dst']).keys).toEqual(['src', 'dst']);
    expect(commandInfo(['SORT_RO', 'src', 'ALPHA'])).toMatchObject({ keys: ['src'], readOnly: true });
  });

  it('two-word commands resolve their subcommand', () => {
    expect(commandInfo(['OBJECT', 'ENCODING', 'k'])).toMatchObject({
      name: 'OBJECT',
      subcommand: 'ENCODING',
      keys: ['k'],
      readOnly: true,
    });
    expect(commandInfo(['object', 'freq', 'k'])).toMatchObject({ subcommand: 'FREQ', keys: ['k'] });
    expect(commandInfo(['MEMORY', 'USAGE', 'k', 'SAMPLES', 5])).toMatchObject({ keys: ['k'], readOnly: true });
    expect(commandInfo(['XINFO', 'STREAM', 's'])).toMatchObject({ subcommand: 'STREAM', keys: ['s'], readOnly: true });
    expect(commandInfo(['XINFO', 'CONSUMERS', 's', 'g']).keys).toEqual(['s']);
    expect(commandInfo(['XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM'])).toMatchObject({
      subcommand: 'CREATE',
      keys: ['s'],
      write: true,
      readOnly: false,
    });
    expect(commandInfo(['XGROUP', Buffer.from('destroy'), 's', 'g']).keys).toEqual(['s']);
    expect(commandInfo(['SCRIPT', 'LOAD', 'return 1'])).toMatchObject({
      subcommand: 'LOAD',
      keys: [],
      noKeys: true,
      requestPolicy: 'all_nodes',
    });
    expect(commandInfo(['FUNCTION', 'LOAD', 'code'])).toMatchObject({ keys: [], write: true, requestPolicy: 'all_shards' });
    expect(commandInfo(['CLUSTER', 'SLOTS'])).toMatchObject({ subcommand: 'SLOTS', noKeys: true });
  });

  it('a container command without a known subcommand stays keyless', () => {
    expect(commandInfo(['OBJECT', 'NOPE', 'k'])).toMatchObject({ name: 'OBJECT', keys: [], known: true });
    expect(commandInfo(['OBJECT']).subcommand).toBeUndefined();
  });

  it('PING and other keyless commands', () => {
    expect(commandInfo(['PING'])).toMatchObject({ name: 'PING', keys: [], noKeys: true, known: true, readOnly: false });
    expect(commandInfo(['DBSIZE'])).toMatchObject({ noKeys: true, readOnly: true, requestPolicy: 'all_shards', responsePolicy: 'agg_sum' });
    expect(commandInfo(['FLUSHALL'])).toMatchObject({ write: true, requestPolicy: 'all_shards' });
  });

  it('PUBLISH is pub/sub and keyless; SPUBLISH is routed by its channel', () => {
    expect(commandInfo(['PUBLISH', 'ch', 'msg'])).toMatchObject({ keys: [], noKeys: true, pubsub: true });
    expect(commandInfo(['SPUBLISH', 'ch', 'msg'])).toMatchObject({ keys: ['ch'], noKeys: false, pubsub: true });
    expect(commandInfo(['SSUBSCRIBE', 'a', 'b'])).toMatchObject({ keys: ['a', 'b'], pubsub: true });
  });

  it('TOUCH is flagged read-only by the server but must reach the master', () => {
    expect(commandInfo(['TOUCH', 'a', 'b'])).toMatchObject({ keys: ['a', 'b'], readOnly: false });
  });

  it('unknown commands are reported as unknown', () => {
    const info = commandInfo(['FOO.BAR', 'x', 'y']);
    expect(info).toMatchObject({
      name: 'FOO.BAR',
      keys: [],
      known: false,
      noKeys: false,
      readOnly: false,
      write: false,
      blocking: false,
      movableKeys: false,
      pubsub: false,
    });
    expect(isKnownCommand('foo.bar')).toBe(false);
    expect(isKnownCommand('GeT')).toBe(true);
    expect(commandInfo(['__proto__', 'x']).known).toBe(false);
    expect(commandInfo(['constructor']).known).toBe(false);
  });

  it('ignores key positions past the end of a short argv', () => {
    expect(commandInfo(['GET']).keys).toEqual([]);
    expect(commandInfo(['EVAL', 's', 3, 'only-one']).keys).toEqual(['only-one']);
  });

  it('rejects an empty argv', () => {
    expect(() => commandInfo([])).toThrow(TypeError);
  });

  it('agrees with @ioredis/commands getKeyIndexes for every command with fixed key positions', () => {
    const args = ['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7'];
    let checked = 0;
    for (const name of ioredisCommands.list) {
      if (ioredisCommands.hasFlag(name, 'movablekeys')) continue;
      const expected = ioredisCommands.getKeyIndexes(name, args).filter((i) => i < args.length).map((i) => args[i]);
      expect([name, commandInfo([name, ...args]).keys]).toEqual([name, expected]);
      checked++;
    }
    expect(checked).toBeGreaterThan(200);
  });

  it('caches per name without mixing calls', () => {
    const a = commandInfo(['GET', 'a']);
    const b = commandInfo(['GET', 'b']);
    expect(a.keys).toEqual(['a']);
    expect(b.keys).toEqual(['b']);
    expect(a).not.toBe(b);
  });
});
