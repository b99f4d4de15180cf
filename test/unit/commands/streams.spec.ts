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

const entry1 = ['1-0', ['f', 'v']];
const entry2 = ['2-0', ['a', '1', 'b', '2']];
const message1 = { id: '1-0', message: { f: 'v' } };
const message2 = { id: '2-0', message: { a: '1', b: '2' } };

describe('streams: build', () => {
  it('XADD with trimming, policy and NOMKSTREAM', () => {
    expect(argv('xAdd', 's', '*', { f: 'v', g: 'w' })).toEqual(['XADD', 's', '*', 'f', 'v', 'g', 'w']);
    expect(argv('xAdd', 's', '*', { f: 'v' }, { TRIM: { strategy: 'MAXLEN', strategyModifier: '~', threshold: 1000, limit: 50 } })).toEqual([
      'XADD', 's', 'MAXLEN', '~', 1000, 'LIMIT', 50, '*', 'f', 'v',
    ]);
    expect(argv('xAdd', 's', '5-0', { f: 'v' }, { TRIM: { strategy: 'MINID', strategyModifier: '=', threshold: '3-0' } })).toEqual([
      'XADD', 's', 'MINID', '=', '3-0', '5-0', 'f', 'v',
    ]);
    expect(argv('xAdd', 's', '*', { f: 'v' }, { policy: 'KEEPREF' })).toEqual(['XADD', 's', 'KEEPREF', '*', 'f', 'v']);
    expect(argv('xAddNoMkStream', 's', '*', { f: 'v' }, { TRIM: { strategy: 'MAXLEN', threshold: 10 } })).toEqual([
      'XADD', 's', 'NOMKSTREAM', 'MAXLEN', 10, '*', 'f', 'v',
    ]);
    expect(() => argv('xAdd', 's', '*', {})).toThrow(TypeError);
  });

  it('XLEN, XRANGE, XREVRANGE, XDEL, XTRIM', () => {
    expect(argv('xLen', 's')).toEqual(['XLEN', 's']);
    expect(argv('xRange', 's', '-', '+')).toEqual(['XRANGE', 's', '-', '+']);
    expect(argv('xRange', 's', '-', '+', { COUNT: 10 })).toEqual(['XRANGE', 's', '-', '+', 'COUNT', 10]);
    expect(argv('xRevRange', 's', '+', '-', { COUNT: 1 })).toEqual(['XREVRANGE', 's', '+', '-', 'COUNT', 1]);
    expect(argv('xDel', 's', ['1-0', '2-0'])).toEqual(['XDEL', 's', '1-0', '2-0']);
    expect(argv('xTrim', 's', 'MAXLEN', 100)).toEqual(['XTRIM', 's', 'MAXLEN', 100]);
    expect(argv('xTrim', 's', 'MAXLEN', 100, { strategyModifier: '~', LIMIT: 10 })).toEqual([
      'XTRIM', 's', 'MAXLEN', '~', 100, 'LIMIT', 10,
    ]);
    expect(argv('xTrim', 's', 'MINID', '5-0', { strategyModifier: '=', policy: 'ACKED' })).toEqual([
      'XTRIM', 's', 'MINID', '=', '5-0', 'ACKED',
    ]);
  });

  it('XREAD: options before STREAMS, keys then ids; BLOCK makes it blocking', () => {
    const plain = argv('xRead', { key: 's', id: '0' });
    expect(plain).toEqual(['XREAD', 'STREAMS', 's', '0']);
    expect(commandInfo(plain)).toMatchObject({ keys: ['s'], blocking: false });
    const blocking = argv('xRead', [{ key: '{s}1', id: '$' }, { key: '{s}2', id: '0-0' }], { COUNT: 5, BLOCK: 1000 });
    expect(blocking).toEqual(['XREAD', 'COUNT', 5, 'BLOCK', 1000, 'STREAMS', '{s}1', '{s}2', '$', '0-0']);
    expect(commandInfo(blocking)).toMatchObject({ keys: ['{s}1', '{s}2'], blocking: true });
  });

  it('XREADGROUP with BLOCK, COUNT and NOACK', () => {
    const args = argv('xReadGroup', 'g', 'c', { key: 's', id: '>' }, { COUNT: 10, BLOCK: 0, NOACK: true });
    expect(args).toEqual(['XREADGROUP', 'GROUP', 'g', 'c', 'COUNT', 10, 'BLOCK', 0, 'NOACK', 'STREAMS', 's', '>']);
    expect(commandInfo(args)).toMatchObject({ keys: ['s'], blocking: true, write: true });
    const nonBlocking = argv('xReadGroup', 'g', 'c', [{ key: 's', id: '0' }]);
    expect(nonBlocking).toEqual(['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 's', '0']);
    expect(commandInfo(nonBlocking).blocking).toBe(false);
  });

  it('consumer groups', () => {
    expect(argv('xAck', 's', 'g', ['1-0', '2-0'])).toEqual(['XACK', 's', 'g', '1-0', '2-0']);
    const create = argv('xGroupCreate', 's', 'g', '$', { MKSTREAM: true, ENTRIESREAD: 0 });
    expect(create).toEqual(['XGROUP', 'CREATE', 's', 'g', '$', 'MKSTREAM', 'ENTRIESREAD', 0]);
    expect(commandInfo(create)).toMatchObject({ keys: ['s'], subcommand: 'CREATE' });
    expect(argv('xGroupDestroy', 's', 'g')).toEqual(['XGROUP', 'DESTROY', 's', 'g']);
    expect(argv('xGroupCreateConsumer', 's', 'g', 'c')).toEqual(['XGROUP', 'CREATECONSUMER', 's', 'g', 'c']);
    expect(argv('xGroupDelConsumer', 's', 'g', 'c')).toEqual(['XGROUP', 'DELCONSUMER', 's', 'g', 'c']);
    expect(argv('xGroupSetId', 's', 'g', '0', { ENTRIESREAD: 3 })).toEqual(['XGROUP', 'SETID', 's', 'g', '0', 'ENTRIESREAD', 3]);
    for (const args of [argv('xGroupDestroy', 's', 'g'), argv('xGroupSetId', 's', 'g', '$')]) {
      expect(keysOf(args)).toEqual(['s']);
    }
  });

  it('XPENDING, XCLAIM, XAUTOCLAIM', () => {
    expect(argv('xPending', 's', 'g')).toEqual(['XPENDING', 's', 'g']);
    expect(argv('xPendingRange', 's', 'g', '-', '+', 10)).toEqual(['XPENDING', 's', 'g', '-', '+', 10]);
    expect(argv('xPendingRange', 's', 'g', '-', '+', 10, { IDLE: 5000, consumer: 'c' })).toEqual([
      'XPENDING', 's', 'g', 'IDLE', 5000, '-', '+', 10, 'c',
    ]);
    expect(argv('xClaim', 's', 'g', 'c', 1000, ['1-0'], { IDLE: 5, TIME: new Date(1700000000000), RETRYCOUNT: 2, FORCE: true, LASTID: '9-0' })).toEqual([
      'XCLAIM', 's', 'g', 'c', 1000, '1-0', 'IDLE', 5, 'TIME', 1700000000000, 'RETRYCOUNT', 2, 'FORCE', 'LASTID', '9-0',
    ]);
    expect(argv('xClaimJustId', 's', 'g', 'c', 0, '1-0')).toEqual(['XCLAIM', 's', 'g', 'c', 0, '1-0', 'JUSTID']);
    expect(argv('xAutoClaim', 's', 'g', 'c', 1000, '0-0', { COUNT: 25 })).toEqual([
      'XAUTOCLAIM', 's', 'g', 'c', 1000, '0-0', 'COUNT', 25,
    ]);
    expect(argv('xAutoClaimJustId', 's', 'g', 'c', 1000, '0-0')).toEqual(['XAUTOCLAIM', 's', 'g', 'c', 1000, '0-0', 'JUSTID']);
  });

  it('XINFO subcommands route by the stream key', () => {
    expect(argv('xInfoStream', 's')).toEqual(['XINFO', 'STREAM', 's']);
    expect(argv('xInfoGroups', 's')).toEqual(['XINFO', 'GROUPS', 's']);
    const consumers = argv('xInfoConsumers', 's', 'g');
    expect(consumers).toEqual(['XINFO', 'CONSUMERS', 's', 'g']);
    expect(commandInfo(consumers)).toMatchObject({ keys: ['s'], readOnly: true });
  });
});

describe('streams: transform (RESP2 | RESP3)', () => {
  it('XRANGE/XREVRANGE → { id, message }[]', () => {
    expect(reply('xRange', [entry1, entry2])).toEqual([message1, message2]);
    expect(reply('xRevRange', [])).toEqual([]);
  });

  it('XREAD/XREADGROUP → [{ name, messages }] or null', () => {
    const expected = [
      { name: 's1', messages: [message1] },
      { name: 's2', messages: [message2] },
    ];
    expect(reply('xRead', [['s1', [entry1]], ['s2', [entry2]]])).toEqual(expected);
    expect(reply('xRead', map({ s1: [entry1], s2: [entry2] }))).toEqual(expected);
    expect(reply('xRead', null)).toBeNull();
    expect(reply('xReadGroup', map({ s1: [entry1], s2: [entry2] }))).toEqual(expected);
    expect(reply('xReadGroup', [['s1', [['1-0', null]]]])).toEqual([{ name: 's1', messages: [{ id: '1-0', message: {} }] }]);
  });

  it('XPENDING summary', () => {
    expect(reply('xPending', [2, '1-0', '2-0', [['c1', '2']]])).toEqual({
      pending: 2,
      firstId: '1-0',
      lastId: '2-0',
      consumers: [{ name: 'c1', deliveriesCounter: 2 }],
    });
    expect(reply('xPending', [0, null, null, null])).toEqual({ pending: 0, firstId: null, lastId: null, consumers: null });
  });

  it('XPENDING range', () => {
    expect(reply('xPendingRange', [['1-0', 'c1', 1500, 3]])).toEqual([
      { id: '1-0', consumer: 'c1', millisecondsSinceLastDelivery: 1500, deliveriesCounter: 3 },
    ]);
  });

  it('XCLAIM and XAUTOCLAIM', () => {
    expect(reply('xClaim', [entry1, null])).toEqual([message1, null]);
    expect(reply('xClaimJustId', ['1-0'])).toEqual(['1-0']);
    expect(reply('xAutoClaim', ['0-0', [entry1, null], ['3-0']])).toEqual({
      nextId: '0-0',
      messages: [message1, null],
      deletedMessages: ['3-0'],
    });
    expect(reply('xAutoClaimJustId', ['5-0', ['1-0'], []])).toEqual({ nextId: '5-0', messages: ['1-0'], deletedMessages: [] });
  });

  it('XINFO STREAM from a RESP2 flat array and a RESP3 map', () => {
    const fields = {
      length: 2,
      'radix-tree-keys': 1,
      'radix-tree-nodes': 2,
      'last-generated-id': '2-0',
      'max-deleted-entry-id': '0-0',
      'entries-added': 2,
      'recorded-first-entry-id': '1-0',
      groups: 1,
    };
    const expected = { ...fields, 'first-entry': message1, 'last-entry': message2 };
    const flat: RespValue[] = [];
    for (const [k, v] of Object.entries(fields)) flat.push(k, v);
    flat.push('first-entry', entry1, 'last-entry', entry2);
    expect(reply('xInfoStream', flat)).toEqual(expected);
    expect(reply('xInfoStream', map({ ...fields, 'first-entry': entry1, 'last-entry': entry2 }))).toEqual(expected);
    expect(reply('xInfoStream', map({ ...fields, 'first-entry': null, 'last-entry': null }))).toMatchObject({
      'first-entry': null,
      'last-entry': null,
    });
  });

  it('XINFO GROUPS and CONSUMERS', () => {
    const group = { name: 'g', consumers: 1, pending: 2, 'last-delivered-id': '2-0', 'entries-read': 2, lag: 0 };
    expect(reply('xInfoGroups', [['name', 'g', 'consumers', 1, 'pending', 2, 'last-delivered-id', '2-0', 'entries-read', 2, 'lag', 0]])).toEqual([group]);
    expect(reply('xInfoGroups', [map(group)])).toEqual([group]);
    expect(reply('xInfoGroups', [map({ ...group, 'entries-read': null, lag: null })])).toEqual([
      { ...group, 'entries-read': null, lag: null },
    ]);
    const consumer = { name: 'c', pending: 1, idle: 10, inactive: 5 };
    expect(reply('xInfoConsumers', [['name', 'c', 'pending', 1, 'idle', 10, 'inactive', 5]])).toEqual([consumer]);
    expect(reply('xInfoConsumers', [map(consumer)])).toEqual([consumer]);
  });
});
