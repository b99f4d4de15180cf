import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { keySlot } from '../../../lib/engine/commands/key-slot.js';
import { waitAofCall, waitCall } from '../../../lib/engine/commands/wait-call.js';
import { ArgumentError } from '../../../lib/engine/errors/base.error.js';

describe('waitCall / waitAofCall', () => {
  it('route by the key and send no key', () => {
    expect(waitCall('user:{1}', 1, 200)).toEqual({ argv: ['WAIT', 1, 200], slot: keySlot('1'), timeoutMs: 200 });
    expect(waitAofCall(Buffer.from('k'), 1, 0, 50)).toEqual({ argv: ['WAITAOF', 1, 0, 50], slot: keySlot('k'), timeoutMs: 50 });
  });

  it('refuse a timeout of 0 (for ever on a shared connection), bad counts and bad keys, naming the argument', () => {
    expect((waitCall('k', 1, 0) as ArgumentError).position).toBe(2);
    expect((waitCall('k', -1, 10) as ArgumentError).position).toBe(1);
    expect((waitCall(undefined, 1, 10) as ArgumentError).position).toBe(0);
    expect((waitAofCall('k', 2, 0, 10) as ArgumentError).position).toBe(1);
    expect((waitAofCall('k', 1, 0, NaN) as ArgumentError).position).toBe(3);
  });

  it('never throw', () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), fc.anything(), (key, n, t) => {
        const call = waitCall(key, n, t);
        if (!(call instanceof ArgumentError)) {
          expect(Number.isInteger(call.timeoutMs) && call.timeoutMs >= 1).toBe(true);
        }
      }),
    );
  });
});
