import { CacheStore, type RemovalReason } from '../../../lib/engine/cache/cache-store.js';

interface E {
  expiresAt: number;
  v: string;
}

function store(policy: 'LRU' | 'FIFO', max: number) {
  const removed: Array<[string, RemovalReason]> = [];
  const s = new CacheStore<E>(policy, max, (key, _entry, reason) => removed.push([key, reason]));
  return { s, removed };
}

const e = (v: string, expiresAt = Infinity): E => ({ v, expiresAt });

describe('CacheStore', () => {
  it('LRU evicts the least recently read entry', () => {
    const { s, removed } = store('LRU', 3);
    s.set('a', e('1'), 0);
    s.set('b', e('2'), 0);
    s.set('c', e('3'), 0);
    expect(s.get('a', 0)?.v).toBe('1'); // a becomes most recent
    s.set('d', e('4'), 0);
    expect(removed).toEqual([['b', 'evicted']]);
    expect(s.keys()).toEqual(['c', 'a', 'd']);
    expect(s.size).toBe(3);
  });

  it('FIFO evicts the oldest stored entry, whatever was read', () => {
    const { s, removed } = store('FIFO', 3);
    s.set('a', e('1'), 0);
    s.set('b', e('2'), 0);
    s.set('c', e('3'), 0);
    expect(s.get('a', 0)?.v).toBe('1');
    s.set('d', e('4'), 0);
    expect(removed).toEqual([['a', 'evicted']]);
    expect(s.keys()).toEqual(['b', 'c', 'd']);
  });

  it('maxEntries 0 is unlimited; maxEntries 1 keeps only the newest', () => {
    const unlimited = store('LRU', 0);
    for (let i = 0; i < 10_000; i++) unlimited.s.set(`k${i}`, e(String(i)), 0);
    expect(unlimited.s.size).toBe(10_000);
    expect(unlimited.removed).toEqual([]);
    const one = store('LRU', 1);
    one.s.set('a', e('1'), 0);
    one.s.set('b', e('2'), 0);
    expect(one.s.keys()).toEqual(['b']);
    expect(one.removed).toEqual([['a', 'evicted']]);
  });

  it('expires entries lazily on read at expiresAt', () => {
    const { s, removed } = store('LRU', 0);
    s.set('a', e('1', 1000), 0);
    expect(s.get('a', 999)?.v).toBe('1');
    expect(s.get('a', 1000)).toBeUndefined();
    expect(removed).toEqual([['a', 'expired']]);
    expect(s.size).toBe(0);
  });

  it('sweeps expired entries at the head when storing, a few at a time', () => {
    const { s, removed } = store('FIFO', 0);
    for (let i = 0; i < 5; i++) s.set(`k${i}`, e(String(i), 100), 0);
    s.set('fresh', e('x', 10_000), 200);
    expect(removed.map(([k]) => k)).toEqual(['k0', 'k1']);
    expect(s.sweep(200)).toBe(3);
    expect(s.keys()).toEqual(['fresh']);
  });

  it('replacing a key reports the old entry and moves the key to the end', () => {
    const { s, removed } = store('FIFO', 2);
    s.set('a', e('1'), 0);
    s.set('b', e('2'), 0);
    s.set('a', e('3'), 0);
    expect(removed).toEqual([['a', 'replaced']]);
    expect(s.keys()).toEqual(['b', 'a']);
    expect(s.peek('a')?.v).toBe('3');
  });

  it('deletes only the expected entry when one is given', () => {
    const { s, removed } = store('LRU', 0);
    const first = e('1');
    s.set('a', first, 0);
    s.set('a', e('2'), 0);
    expect(s.delete('a', 'invalidated', first)).toBe(false);
    expect(s.delete('a', 'invalidated')).toBe(true);
    expect(s.delete('a', 'invalidated')).toBe(false);
    expect(removed).toEqual([
      ['a', 'replaced'],
      ['a', 'invalidated'],
    ]);
  });
});
