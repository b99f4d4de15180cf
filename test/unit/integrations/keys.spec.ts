// Key building of the integrations, with hostile inputs: throttler keys always share one slot, Keyv's SCAN pattern
// matches exactly the namespace's keys.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { keySlot } from '../../../lib/engine/commands/key-slot.js';
import { escapeGlob } from '../../../lib/integrations/keyv/glob.js';
import { throttlerKeys } from '../../../lib/throttler.js';

/** Redis's glob matcher (stringmatchlen) for the subset the store emits: literal text, escapes and a final `*`. */
function globMatches(pattern: string, text: string): boolean {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) re += pattern[++i]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (c === '*') re += '[\\s\\S]*';
    else if (c === '?') re += '[\\s\\S]';
    else if (c === '[') throw new Error('unescaped [ in pattern');
    else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`).test(text);
}

describe('throttler keys', () => {
  it('hits and block keys hash to the same slot for any throttler name and tracker key', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' }), fc.constantFrom('throttler:', '', 'a:b:'), (name, key, prefix) => {
        const [hits, block] = throttlerKeys(prefix, name, key);
        expect(keySlot(hits)).toBe(keySlot(block));
        expect(hits.endsWith(':hits') && block.endsWith(':block')).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('different (throttler, key) pairs give different keys, separators and braces included', () => {
    // Names and keys made of separators, digits and braces, so that shifted splits actually occur.
    const part = fc.oneof(fc.string(), fc.string({ unit: fc.constantFrom(':', 'a', '1', '{', '}') }));
    fc.assert(
      fc.property(part, part, part, part, (n1, k1, n2, k2) => {
        fc.pre(n1 !== n2 || k1 !== k2);
        expect(throttlerKeys('t:', n1, k1)[0]).not.toBe(throttlerKeys('t:', n2, k2)[0]);
      }),
      { numRuns: 5000 },
    );
    // The same text split differently: name 'a:b' + key 'c' vs name 'a' + key 'b:c' (and a length-looking name).
    expect(throttlerKeys('t:', 'a:b', 'c')[0]).not.toBe(throttlerKeys('t:', 'a', 'b:c')[0]);
    expect(throttlerKeys('t:', '1:a', 'b')[0]).not.toBe(throttlerKeys('t:', '1', 'a:b')[0]);
    expect(throttlerKeys('t:', '', 'a:b')[0]).not.toBe(throttlerKeys('t:', 'a', 'b')[0]);
    expect(throttlerKeys('t:', '{a', 'b')[0]).not.toBe(throttlerKeys('t:', '{a:b', '')[0]);
  });
});

describe('Keyv clear() pattern', () => {
  it('matches every key of the namespace and nothing else, whatever glob characters the namespace holds', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string(), fc.string({ minLength: 1 }), (ns, key, other) => {
        const pattern = `${escapeGlob(ns)}:*`;
        expect(globMatches(pattern, `${ns}:${key}`)).toBe(true);
        fc.pre(!`${other}`.startsWith(`${ns}:`));
        expect(globMatches(pattern, other)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });
});
