import { describe, expect, it } from '@jest/globals';
import { commonSlot, groupBySlot, hashTagOf, keySlot, numberText, slotsOf, SLOT_COUNT } from '../../../lib/engine/commands/key-slot.js';

describe('keySlot', () => {
  it('matches known slots', () => {
    expect(keySlot('{}')).toBe(15257);
    expect(keySlot('foo')).toBe(12182);
    expect(keySlot('bar')).toBe(5061);
    expect(keySlot('123456789')).toBe(0x31c3 & 0x3fff);
  });

  it('hashes only the hash tag', () => {
    expect(keySlot('{user1000}.following')).toBe(keySlot('{user1000}.followers'));
    expect(keySlot('{user1000}.following')).toBe(keySlot('user1000'));
    expect(keySlot('foo{bar}baz')).toBe(keySlot('bar'));
  });

  it('follows the first { and the next }', () => {
    expect(keySlot('}{a}')).toBe(keySlot('a'));
    expect(keySlot('{{a}}')).toBe(keySlot('{a'));
    expect(keySlot('{}{a}')).toBe(keySlot('{}{a}'));
    expect(keySlot('{}{a}')).not.toBe(keySlot('a'));
    expect(keySlot('a{b')).toBe(keySlot('a{b'));
  });

  it('treats Buffers like the same UTF-8 string', () => {
    expect(keySlot(Buffer.from('foo'))).toBe(keySlot('foo'));
    expect(keySlot(Buffer.from('{user1000}.x'))).toBe(keySlot('user1000'));
    expect(keySlot(Buffer.from('clé-ü'))).toBe(keySlot('clé-ü'));
    expect(keySlot('😀')).toBe(keySlot(Buffer.from('😀')));
  });

  it('hashes numbers as their decimal text', () => {
    expect(keySlot(123)).toBe(keySlot('123'));
    expect(keySlot(0)).toBe(keySlot('0'));
    expect(keySlot(-7)).toBe(keySlot('-7'));
    expect(keySlot(1.5)).toBe(keySlot('1.5'));
    expect(keySlot(1e21)).toBe(keySlot('1000000000000000000000'));
    expect(numberText(-2e21)).toBe('-2000000000000000000000');
    expect(numberText(1e-7)).toBe('1e-7');
  });

  it('stays within the slot range', () => {
    for (let i = 0; i < 1000; i++) {
      const slot = keySlot(`key:${i}`);
      expect(slot).toBeGreaterThanOrEqual(0);
      expect(slot).toBeLessThan(SLOT_COUNT);
    }
  });
});

describe('slot helpers', () => {
  it('slotsOf lists distinct slots in order of appearance', () => {
    expect(slotsOf([])).toEqual([]);
    expect(slotsOf(['{a}1', '{a}2', 'foo', '{a}3'])).toEqual([keySlot('a'), keySlot('foo')]);
  });

  it('commonSlot returns the shared slot, -1 across slots, undefined for none', () => {
    expect(commonSlot([])).toBeUndefined();
    expect(commonSlot(['{u}1', '{u}2', Buffer.from('{u}3')])).toBe(keySlot('u'));
    expect(commonSlot(['a', 'b'])).toBe(-1);
  });

  it('groupBySlot groups entries of `step` arguments', () => {
    const args = ['{a}1', 'v1', 'foo', 'v2', '{a}2', 'v3'];
    const groups = groupBySlot(args, 2);
    expect([...groups.entries()]).toEqual([
      [keySlot('a'), [0, 2]],
      [keySlot('foo'), [1]],
    ]);
    expect([...groupBySlot(['x', 'y', 'x']).values()]).toEqual(
      keySlot('x') === keySlot('y') ? [[0, 1, 2]] : [[0, 2], [1]],
    );
    expect(() => groupBySlot(args, 0)).toThrow(RangeError);
    // An odd trailing argument is never dropped silently.
    expect(() => groupBySlot([...args, 'k4'], 2)).toThrow(RangeError);
  });

  it('hashTagOf returns the hashed part', () => {
    expect(hashTagOf('{user1000}.following')).toBe('user1000');
    expect(hashTagOf('plain')).toBe('plain');
    expect(hashTagOf('{}x')).toBe('{}x');
    expect(hashTagOf('{{a}}')).toBe('{a');
    expect(hashTagOf('}{a}')).toBe('a');
  });
});
