import { describe, expect, it } from '@jest/globals';
import { ReplyError } from '../../../lib/engine/errors/reply.error.js';
import type { RespMap, RespValue } from '../../../lib/engine/resp/types.js';
import {
  asArray,
  double,
  doubleArgument,
  fieldValuePairs,
  forEachPair,
  integer,
  isRespMap,
  nullableDouble,
  nullableDoubles,
  nullableText,
  passThrough,
  PASS_THROUGH,
  scanParts,
  sortedSetMember,
  sortedSetMembers,
  streamMessage,
  streamMessages,
  streamsMessages,
  stringRecord,
  text,
  toObject,
} from '../../../lib/engine/commands/transforms.js';

/** A RESP3 map as the decoder delivers it. */
function map(entries: Record<string, RespValue>): RespMap {
  return Object.assign(Object.create(null) as RespMap, entries);
}

describe('scalar helpers', () => {
  it('passThrough is one shared identity', () => {
    expect(passThrough<string>()).toBe(PASS_THROUGH);
    expect(passThrough<number>()(5)).toBe(5);
  });

  it('text and nullableText', () => {
    expect(text('a')).toBe('a');
    expect(text(Buffer.from('é'))).toBe('é');
    expect(text(12)).toBe('12');
    expect(text(12n)).toBe('12');
    expect(text(null)).toBe('');
    expect(nullableText(null)).toBeNull();
    expect(nullableText(Buffer.from('x'))).toBe('x');
  });

  it('integer tolerates text and bigint', () => {
    expect(integer(3)).toBe(3);
    expect(integer('42')).toBe(42);
    expect(integer(7n)).toBe(7);
  });

  it('double reads RESP2 text and RESP3 numbers, including infinities', () => {
    expect(double('1.5')).toBe(1.5);
    expect(double(1.5)).toBe(1.5);
    expect(double(Buffer.from('-2'))).toBe(-2);
    expect(double('inf')).toBe(Infinity);
    expect(double('+inf')).toBe(Infinity);
    expect(double('-inf')).toBe(-Infinity);
    expect(double('INF')).toBe(Infinity);
    expect(double('nan')).toBeNaN();
    expect(double(Infinity)).toBe(Infinity);
    expect(nullableDouble(null)).toBeNull();
    expect(nullableDoubles(['1', null, 2.5])).toEqual([1, null, 2.5]);
  });

  it('doubleArgument writes infinities as Redis expects', () => {
    expect(doubleArgument(Infinity)).toBe('+inf');
    expect(doubleArgument(-Infinity)).toBe('-inf');
    expect(doubleArgument(1.25)).toBe('1.25');
    expect(doubleArgument('(5')).toBe('(5');
  });

  it('asArray throws a TypeError on other shapes', () => {
    expect(asArray([1])).toEqual([1]);
    expect(() => asArray('x')).toThrow(TypeError);
    expect(() => asArray(null)).toThrow('expected an array, got null');
  });

  it('isRespMap recognises decoded maps only', () => {
    expect(isRespMap(map({ a: 1 }))).toBe(true);
    expect(isRespMap([])).toBe(false);
    expect(isRespMap(Buffer.from('x'))).toBe(false);
    expect(isRespMap(new ReplyError('ERR x'))).toBe(false);
    expect(isRespMap(null)).toBe(false);
  });
});

describe('map helpers', () => {
  it('toObject pairs up RESP2 flat arrays and keeps RESP3 maps', () => {
    const fromResp2 = toObject(['a', '1', 'b', '2']);
    expect(fromResp2).toEqual({ a: '1', b: '2' });
    expect(Object.getPrototypeOf(fromResp2)).toBeNull();
    const resp3 = map({ a: '1' });
    expect(toObject(resp3)).toBe(resp3);
    expect(toObject(map({ a: '1' }), Number)).toEqual({ a: 1 });
  });

  it('toObject keeps a field named __proto__ as data', () => {
    const obj = toObject(['__proto__', 'x']);
    expect(Object.keys(obj)).toEqual(['__proto__']);
    expect(obj['__proto__']).toBe('x');
  });

  it('forEachPair rejects scalars', () => {
    expect(() => forEachPair('x', () => undefined)).toThrow(TypeError);
  });

  it('stringRecord converts Buffers and treats null as empty', () => {
    expect(stringRecord([Buffer.from('f'), Buffer.from('v')])).toEqual({ f: 'v' });
    expect(stringRecord(null)).toEqual({});
    expect(stringRecord(map({ f: 'v' }))).toEqual({ f: 'v' });
  });
});

describe('sorted-set helpers', () => {
  const expected = [
    { value: 'a', score: 1 },
    { value: 'b', score: Infinity },
  ];

  it('reads RESP2 flat and RESP3 nested pairs', () => {
    expect(sortedSetMembers(['a', '1', 'b', 'inf'])).toEqual(expected);
    expect(sortedSetMembers([['a', 1], ['b', Infinity]])).toEqual(expected);
    expect(sortedSetMembers([])).toEqual([]);
  });

  it('reads one member or null', () => {
    expect(sortedSetMember(['a', '1.5'])).toEqual({ value: 'a', score: 1.5 });
    expect(sortedSetMember(['a', 1.5])).toEqual({ value: 'a', score: 1.5 });
    expect(sortedSetMember([])).toBeNull();
    expect(sortedSetMember(null)).toBeNull();
  });

  it('fieldValuePairs reads both forms', () => {
    const pairs = [{ field: 'f', value: 'v' }];
    expect(fieldValuePairs(['f', 'v'])).toEqual(pairs);
    expect(fieldValuePairs([['f', 'v']])).toEqual(pairs);
  });

  it('scanParts returns the cursor as text', () => {
    expect(scanParts(['17', ['a']])).toEqual({ cursor: '17', items: ['a'] });
    expect(scanParts([Buffer.from('0'), []])).toEqual({ cursor: '0', items: [] });
  });
});

describe('stream helpers', () => {
  const entry = ['1-0', ['f', 'v', 'g', 'w']];
  const message = { id: '1-0', message: { f: 'v', g: 'w' } };

  it('streamMessage pairs up the body; a null body becomes empty', () => {
    expect(streamMessage(entry)).toEqual(message);
    expect(streamMessage(['2-0', null])).toEqual({ id: '2-0', message: {} });
    expect(streamMessage(['3-0', ['f', 'v'], 120, 2])).toEqual({
      id: '3-0',
      message: { f: 'v' },
      millisElapsedFromDelivery: 120,
      deliveriesCounter: 2,
    });
    expect(streamMessages([entry])).toEqual([message]);
  });

  it('streamsMessages reads RESP2 arrays and RESP3 maps alike', () => {
    const expected = [{ name: 's', messages: [message] }];
    expect(streamsMessages([['s', [entry]]])).toEqual(expected);
    expect(streamsMessages(map({ s: [entry] }))).toEqual(expected);
    expect(streamsMessages(null)).toBeNull();
  });
});
