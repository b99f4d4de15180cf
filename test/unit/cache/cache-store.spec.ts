import { ArgvTrie, argvParts } from '../../../lib/engine/cache/argv-trie.js';
import { CacheStore, type RemovalReason } from '../../../lib/engine/cache/cache-store.js';

interface E {
  expiresAt: number;
  v: string;
  older: E | undefined;
  newer: E | undefined;
  stored: boolean;
}

function store(policy: 'LRU' | 'FIFO', max: number) {
  const removed: Array<[string, RemovalReason]> = [];
  const s = new CacheStore<E>(policy, max, (entry, reason) => removed.push([entry.v, reason]));
  const order = () => s.entries().map((x) => x.v);
  return { s, removed, order };
}

const e = (v: string, expiresAt = Infinity): E => ({ v, expiresAt, older: undefined, newer: undefined, stored: false });

describe('CacheStore', () => {
  it('LRU evicts the least recently read entry', () => {
    const { s, removed, order } = store('LRU', 3);
    const [a, b, c] = [e('a'), e('b'), e('c')];
    for (const x of [a, b, c]) s.add(x, 0);
    expect(s.read(a, 0)).toBe(true); // a becomes the newest
    s.add(e('d'), 0);
    expect(removed).toEqual([['b', 'evicted']]);
    expect(order()).toEqual(['c', 'a', 'd']);
    expect(s.read(c, 0)).toBe(true);
    expect(order()).toEqual(['a', 'd', 'c']);
    expect(s.size).toBe(3);
  });

  it('FIFO evicts the oldest stored entry, whatever was read', () => {
    const { s, removed, order } = store('FIFO', 3);
    const [a, b, c] = [e('a'), e('b'), e('c')];
    for (const x of [a, b, c]) s.add(x, 0);
    expect(s.read(a, 0)).toBe(true);
    s.add(e('d'), 0);
    expect(removed).toEqual([['a', 'evicted']]);
    expect(order()).toEqual(['b', 'c', 'd']);
    expect(a.stored).toBe(false);
  });

  it('maxEntries 0 is unlimited; maxEntries 1 keeps only the newest', () => {
    const unlimited = store('LRU', 0);
    for (let i = 0; i < 10_000; i++) unlimited.s.add(e(String(i)), 0);
    expect(unlimited.s.size).toBe(10_000);
    expect(unlimited.removed).toEqual([]);
    const one = store('LRU', 1);
    one.s.add(e('a'), 0);
    one.s.add(e('b'), 0);
    expect(one.order()).toEqual(['b']);
    expect(one.removed).toEqual([['a', 'evicted']]);
  });

  it('expires entries lazily on read at expiresAt', () => {
    const { s, removed } = store('LRU', 0);
    const a = e('a', 1000);
    s.add(a, 0);
    expect(s.read(a, 999)).toBe(true);
    expect(s.read(a, 1000)).toBe(false);
    expect(removed).toEqual([['a', 'expired']]);
    expect(s.size).toBe(0);
    expect(s.remove(a, 'invalidated')).toBe(false);
  });

  it('sweeps expired entries at the head when adding, a few at a time', () => {
    const { s, removed, order } = store('FIFO', 0);
    for (let i = 0; i < 5; i++) s.add(e(`k${i}`, 100), 0);
    s.add(e('fresh', 10_000), 200);
    expect(removed.map(([k]) => k)).toEqual(['k0', 'k1']);
    expect(s.sweep(200)).toBe(3);
    expect(order()).toEqual(['fresh']);
  });

  it('removes from the middle, the head and the tail, and clears', () => {
    const { s, order, removed } = store('LRU', 0);
    const xs = ['a', 'b', 'c', 'd'].map((v) => e(v));
    for (const x of xs) s.add(x, 0);
    expect(s.remove(xs[1]!, 'invalidated')).toBe(true);
    expect(s.remove(xs[0]!, 'replaced')).toBe(true);
    expect(s.remove(xs[3]!, 'invalidated')).toBe(true);
    expect(order()).toEqual(['c']);
    expect(removed).toEqual([
      ['b', 'invalidated'],
      ['a', 'replaced'],
      ['d', 'invalidated'],
    ]);
    s.add(e('e'), 0);
    s.clear();
    expect([s.size, order()]).toEqual([0, []]);
    expect(xs[2]!.stored).toBe(false);
  });
});

describe('ArgvTrie', () => {
  it('finds values by the full argv and reply mode, binary-safe', () => {
    const trie = new ArgvTrie<string>();
    trie.put(trie.slotFor(argvParts(['GET', 'k']), false), 'text');
    trie.put(trie.slotFor(argvParts(['LRANGE', 'l', 0, -1]), false), 'range');
    trie.put(trie.slotFor(argvParts(['GET', Buffer.from([0xff, 0x00])]), false), 'binary');
    expect(trie.get(['GET', 'k'], false)).toBe('text');
    expect(trie.get(['GET', 'k'], true)).toBeUndefined();
    expect(trie.get(['GET'], false)).toBeUndefined();
    expect(trie.get(['GET', 'k', 'x'], false)).toBeUndefined();
    expect(trie.get(['LRANGE', 'l', '0', '-1'], false)).toBe('range');
    expect(trie.get(['GET', Buffer.from([0xff, 0x00])], false)).toBe('binary');
    expect(trie.get(['GET', '\u00ff\u0000'], false)).toBeUndefined(); // a string never matches a Buffer edge
    expect(trie.get(['GET', Buffer.from('k')], false)).toBeUndefined();
  });

  it('replaces, deletes only the expected value, and prunes empty branches', () => {
    const trie = new ArgvTrie<string>();
    const slot = trie.slotFor(argvParts(['HGET', 'h', 'f']), false);
    expect(trie.put(slot, 'one')).toBeUndefined();
    expect(trie.put(slot, 'two')).toBe('one');
    trie.delete(slot, 'one');
    expect(trie.get(['HGET', 'h', 'f'], false)).toBe('two');
    const sibling = trie.slotFor(argvParts(['HGET', 'h', 'g']), false);
    trie.put(sibling, 'three');
    trie.delete(slot, 'two');
    expect(trie.get(['HGET', 'h', 'f'], false)).toBeUndefined();
    expect(trie.get(['HGET', 'h', 'g'], false)).toBe('three');
    trie.delete(sibling, 'three');
    expect(sibling.parent!.strings?.size ?? 0).toBe(0);
    expect(sibling.parent!.parent!.strings?.size ?? 0).toBe(0); // 'HGET' → 'h' pruned too
  });
});
