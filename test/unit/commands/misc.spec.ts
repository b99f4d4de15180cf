import { describe, expect, it } from '@jest/globals';
import type { CommandDefinition } from '../../../lib/engine/commands/command-definition.js';
import { clusterRoute } from '../../../lib/engine/cluster/policy-router.js';
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

describe('HyperLogLog', () => {
  it('build', () => {
    expect(argv('pfAdd', 'h')).toEqual(['PFADD', 'h']);
    expect(argv('pfAdd', 'h', ['a', 'b'])).toEqual(['PFADD', 'h', 'a', 'b']);
    expect(argv('pfCount', ['{h}1', '{h}2'])).toEqual(['PFCOUNT', '{h}1', '{h}2']);
    expect(keysOf(argv('pfCount', ['{h}1', '{h}2']))).toEqual(['{h}1', '{h}2']);
    expect(clusterRoute(argv('pfCount', ['{h}1', '{h}2']))).toBeUndefined();
    expect(argv('pfMerge', 'd', ['a', 'b'])).toEqual(['PFMERGE', 'd', 'a', 'b']);
    expect(argv('pfMerge', 'd')).toEqual(['PFMERGE', 'd']);
  });

  it('transform', () => {
    expect(reply('pfCount', 3)).toBe(3);
    expect(reply('pfMerge', 'OK')).toBe('OK');
  });
});

describe('geo', () => {
  it('build', () => {
    expect(argv('geoAdd', 'g', { longitude: 13.361389, latitude: 38.115556, member: 'Palermo' })).toEqual([
      'GEOADD', 'g', 13.361389, 38.115556, 'Palermo',
    ]);
    expect(
      argv('geoAdd', 'g', [
        { longitude: 1, latitude: 2, member: 'a' },
        { longitude: '3', latitude: '4', member: 'b' },
      ], { NX: true, CH: true }),
    ).toEqual(['GEOADD', 'g', 'NX', 'CH', 1, 2, 'a', '3', '4', 'b']);
    expect(argv('geoDist', 'g', 'a', 'b')).toEqual(['GEODIST', 'g', 'a', 'b']);
    expect(argv('geoDist', 'g', 'a', 'b', 'km')).toEqual(['GEODIST', 'g', 'a', 'b', 'km']);
    expect(argv('geoPos', 'g', ['a', 'b'])).toEqual(['GEOPOS', 'g', 'a', 'b']);
    expect(argv('geoHash', 'g', 'a')).toEqual(['GEOHASH', 'g', 'a']);
    expect(argv('geoSearch', 'g', 'Palermo', { radius: 100, unit: 'km' })).toEqual([
      'GEOSEARCH', 'g', 'FROMMEMBER', 'Palermo', 'BYRADIUS', 100, 'km',
    ]);
    expect(
      argv('geoSearch', 'g', { longitude: 15, latitude: 37 }, { width: 400, height: 300, unit: 'km' }, {
        SORT: 'ASC',
        COUNT: { value: 3, ANY: true },
      }),
    ).toEqual(['GEOSEARCH', 'g', 'FROMLONLAT', 15, 37, 'BYBOX', 400, 300, 'km', 'ASC', 'COUNT', 3, 'ANY']);
    const store = argv('geoSearchStore', '{g}d', '{g}s', Buffer.from('m'), { radius: 5, unit: 'm' }, { COUNT: 2, STOREDIST: true });
    expect(store).toEqual(['GEOSEARCHSTORE', '{g}d', '{g}s', 'FROMMEMBER', Buffer.from('m'), 'BYRADIUS', 5, 'm', 'COUNT', 2, 'STOREDIST']);
    expect(keysOf(store)).toEqual(['{g}d', '{g}s']);
  });

  it('transform', () => {
    expect(reply('geoDist', '166274.1516')).toBe(166274.1516);
    expect(reply('geoDist', 166274.1516)).toBe(166274.1516);
    expect(reply('geoDist', null)).toBeNull();
    expect(reply('geoPos', [['13.36138933897018433', '38.11555639549629859'], null])).toEqual([
      { longitude: '13.36138933897018433', latitude: '38.11555639549629859' },
      null,
    ]);
    expect(reply('geoPos', [[13.5, 38.25]])).toEqual([{ longitude: '13.5', latitude: '38.25' }]);
    expect(reply('geoHash', ['sqc8b49rny0', null])).toEqual(['sqc8b49rny0', null]);
    expect(reply('geoSearch', ['a'])).toEqual(['a']);
  });
});

describe('scripts and functions', () => {
  it('EVAL family builds numkeys, keys, then arguments', () => {
    const evalArgs = argv('eval', 'return KEYS[1]', { keys: ['{u}a', '{u}b'], arguments: ['x', 1] });
    expect(evalArgs).toEqual(['EVAL', 'return KEYS[1]', 2, '{u}a', '{u}b', 'x', 1]);
    expect(keysOf(evalArgs)).toEqual(['{u}a', '{u}b']);
    expect(argv('eval', 'return 1')).toEqual(['EVAL', 'return 1', 0]);
    expect(argv('evalSha', 'abc', { arguments: ['x'] })).toEqual(['EVALSHA', 'abc', 0, 'x']);
    expect(argv('evalRo', 's', { keys: ['k'] })).toEqual(['EVAL_RO', 's', 1, 'k']);
    expect(commandInfo(argv('evalRo', 's', { keys: ['k'] })).readOnly).toBe(true);
    expect(argv('evalShaRo', 'abc', { keys: ['k'] })).toEqual(['EVALSHA_RO', 'abc', 1, 'k']);
    expect(argv('fCall', 'fn', { keys: ['k'], arguments: ['a'] })).toEqual(['FCALL', 'fn', 1, 'k', 'a']);
    expect(argv('fCallRo', 'fn')).toEqual(['FCALL_RO', 'fn', 0]);
    expect(clusterRoute(argv('eval', 'return 1', { keys: ['a', 'b'] }))).toBeUndefined();
  });

  it('SCRIPT and FUNCTION subcommands', () => {
    expect(argv('scriptLoad', 'return 1')).toEqual(['SCRIPT', 'LOAD', 'return 1']);
    expect(argv('scriptExists', ['a', 'b'])).toEqual(['SCRIPT', 'EXISTS', 'a', 'b']);
    expect(argv('scriptFlush')).toEqual(['SCRIPT', 'FLUSH']);
    expect(argv('scriptFlush', 'ASYNC')).toEqual(['SCRIPT', 'FLUSH', 'ASYNC']);
    expect(argv('functionLoad', 'code')).toEqual(['FUNCTION', 'LOAD', 'code']);
    expect(argv('functionLoad', 'code', { REPLACE: true })).toEqual(['FUNCTION', 'LOAD', 'REPLACE', 'code']);
    expect(argv('functionDelete', 'lib')).toEqual(['FUNCTION', 'DELETE', 'lib']);
    expect(argv('functionList')).toEqual(['FUNCTION', 'LIST']);
    expect(argv('functionList', { LIBRARYNAME: 'my*' })).toEqual(['FUNCTION', 'LIST', 'LIBRARYNAME', 'my*']);
    expect(argv('functionFlush', 'SYNC')).toEqual(['FUNCTION', 'FLUSH', 'SYNC']);
    expect(commandInfo(argv('scriptLoad', 'x')).requestPolicy).toBe('all_nodes');
    // ...and the cluster routes by it (every master and replica), not to one random master.
    expect(clusterRoute(argv('scriptLoad', 'x'))).toMatchObject({ kind: 'fan-out', replicas: true, policy: { command: 'SCRIPT LOAD', response: 'all_succeeded' } });
    expect(clusterRoute(argv('functionLoad', 'x'))).toMatchObject({ kind: 'fan-out', replicas: false });
  });

  it('EVAL replies pass through as decoded', () => {
    expect(reply('eval', [1, 'a', null])).toEqual([1, 'a', null]);
    expect(reply('scriptExists', [1, 0])).toEqual([1, 0]);
  });

  it('FUNCTION LIST from RESP2 flat arrays and RESP3 maps', () => {
    const expected = [
      {
        library_name: 'mylib',
        engine: 'LUA',
        functions: [{ name: 'fn', description: null, flags: ['no-writes'] }],
      },
    ];
    expect(
      reply('functionList', [
        ['library_name', 'mylib', 'engine', 'LUA', 'functions', [['name', 'fn', 'description', null, 'flags', ['no-writes']]]],
      ]),
    ).toEqual(expected);
    expect(
      reply('functionList', [
        map({ library_name: 'mylib', engine: 'LUA', functions: [map({ name: 'fn', description: null, flags: ['no-writes'] })] }),
      ]),
    ).toEqual(expected);
    expect(reply('functionList', [])).toEqual([]);
  });
});

describe('server and pub/sub', () => {
  it('build', () => {
    expect(argv('ping')).toEqual(['PING']);
    expect(argv('ping', 'hi')).toEqual(['PING', 'hi']);
    expect(argv('echo', 'x')).toEqual(['ECHO', 'x']);
    expect(argv('dbSize')).toEqual(['DBSIZE']);
    expect(argv('flushAll')).toEqual(['FLUSHALL']);
    expect(argv('flushAll', 'ASYNC')).toEqual(['FLUSHALL', 'ASYNC']);
    expect(argv('flushDb', 'SYNC')).toEqual(['FLUSHDB', 'SYNC']);
    expect(argv('info')).toEqual(['INFO']);
    expect(argv('info', 'memory')).toEqual(['INFO', 'memory']);
    expect(argv('time')).toEqual(['TIME']);
    const publish = argv('publish', 'ch', 'hello');
    expect(publish).toEqual(['PUBLISH', 'ch', 'hello']);
    expect(commandInfo(publish)).toMatchObject({ keys: [], pubsub: true });
    const spublish = argv('sPublish', 'ch', 'hello');
    expect(spublish).toEqual(['SPUBLISH', 'ch', 'hello']);
    expect(commandInfo(spublish).keys).toEqual(['ch']);
  });

  it('transform', () => {
    expect(reply('ping', 'PONG')).toBe('PONG');
    expect(reply('time', ['1700000000', '123456'])).toEqual(['1700000000', '123456']);
    expect(reply('info', '# Server\r\nredis_version:7.4.0\r\n')).toContain('redis_version');
    expect(reply('publish', 1)).toBe(1);
  });
});
