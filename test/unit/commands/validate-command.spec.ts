import { describe, expect, it } from '@jest/globals';
import { inspect } from 'node:util';
import fc from 'fast-check';
import type { CommandDefinition } from '../../../lib/engine/commands/command-definition.js';
import { COMMANDS } from '../../../lib/engine/commands/commands.js';
import { buildCommand, checkKeyList } from '../../../lib/engine/commands/validate-command.js';
import { ArgumentError } from '../../../lib/engine/errors/base.error.js';
import { checkArguments } from '../../../lib/engine/resp/argument-check.js';

const defs = Object.entries(COMMANDS) as Array<[string, CommandDefinition]>;
const SECRET = 'S3CRET-VALUE';

function built(name: keyof typeof COMMANDS, ...args: unknown[]) {
  return buildCommand(COMMANDS[name] as unknown as CommandDefinition, args);
}
function error(name: keyof typeof COMMANDS, ...args: unknown[]): ArgumentError {
  const result = built(name, ...args);
  expect(result).toBeInstanceOf(ArgumentError);
  return result as ArgumentError;
}

/** Hostile values: anything fast-check makes, plus the ones that used to crash the encoder. */
const hostile = fc.oneof(
  fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true, withNullPrototype: true, withBoxedValues: true }),
  fc.constantFrom<unknown>(undefined, null, NaN, Infinity, -Infinity, Symbol('s'), 10n, {}, [], () => 1, new Date(NaN), { EX: NaN }, { toString: () => SECRET }),
  fc.constant(new Proxy({}, { get: () => { throw new Error('trap'); }, ownKeys: () => { throw new Error('trap'); }, getPrototypeOf: () => { throw new Error('trap'); } })),
);

describe('buildCommand: the typed-command boundary', () => {
  it('builds valid calls unchanged', () => {
    expect(built('set', 'k', 'v', { EX: 10 })).toEqual(['SET', 'k', 'v', 'EX', 10]);
    expect(built('mGet', ['a', 'b'])).toEqual(['MGET', 'a', 'b']);
    expect(built('hSet', 'h', { f: 'v' })).toEqual(['HSET', 'h', 'f', 'v']);
  });

  it('names the method argument (index and name) or the option path, never the value', () => {
    const e1 = error('set', 'k', undefined);
    expect([e1.command, e1.position, e1.received]).toEqual(['SET', 1, 'undefined']);
    expect(e1.message).toContain('argument 1 (value)');
    const e2 = error('set', 'k', 'v', { EX: NaN });
    expect([e2.command, e2.position, e2.received]).toEqual(['SET', 'options.EX', 'NaN']);
    const e3 = error('hSet', 'h', { [SECRET]: undefined });
    expect(e3.position).toBe(1);
    expect(inspect(e3)).not.toContain(SECRET);
    const e4 = error('get', {});
    expect([e4.position, e4.received]).toEqual([0, 'object']);
    expect(error('get', undefined).position).toBe(0);
    expect(error('set', undefined, 'v').position).toBe(0);
    expect(error('expire', 'k', NaN).position).toBe(1);
    expect(error('set', 'k', Infinity).received).toBe('Infinity');
    expect(error('set', 'k', Symbol('x')).received).toBe('symbol');
    expect(error('mGet', undefined).position).toBe(0);
    expect(error('mGet', ['a', null]).position).toBe(0);
    expect(error('getEx', 'k', 'EX').position).toBe(1);
    expect(error('expireAt', 'k', new Date(NaN)).position).toBe(1);
    const e5 = error('set', 'k', { toString: () => SECRET });
    expect(inspect(e5)).not.toContain(SECRET);
  });

  it('refuses an odd MSET list and an empty one (nothing dropped)', () => {
    expect(error('mSet', ['a', '1', 'b']).position).toBe(0);
    expect(error('mSet', []).position).toBe(0);
    expect(error('mSet', [['a']]).position).toBe(0);
  });

  it('never throws for any value at any position of any typed command', () => {
    fc.assert(
      fc.property(fc.constantFrom(...defs), fc.array(hostile, { maxLength: 5 }), ([, def], args) => {
        let result: ReturnType<typeof buildCommand> | undefined;
        expect(() => (result = buildCommand(def, args))).not.toThrow();
        if (result instanceof ArgumentError) {
          expect(result.code).toBe('ERR_REDIS_ARGUMENT');
          expect(inspect(result)).not.toContain(SECRET);
        } else {
          // Whatever is returned can be sent.
          expect(checkArguments(result)).toBeUndefined();
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('valid string arguments in a command\'s own positions still build', () => {
    // One-key commands accept any string key, including ones that look like tokens.
    fc.assert(
      fc.property(fc.string(), fc.string(), (key, value) => {
        expect(built('get', key)).toEqual(['GET', key]);
        expect(built('set', key, value)).toEqual(['SET', key, value]);
      }),
    );
  });
});

describe('checkKeyList', () => {
  it('accepts sendable keys, rejects the rest with their index', () => {
    expect(checkKeyList(['a', Buffer.from('b'), 1], 'WATCH', 0, false)).toBeUndefined();
    expect(checkKeyList([], 'WATCH', 0, false)?.received).toBe('empty array');
    expect(checkKeyList([], 'runScript', 'call.keys', true)).toBeUndefined();
    expect(checkKeyList(['a', undefined], 'WATCH', 0, false)?.position).toBe(1);
    expect(checkKeyList(['a', NaN], 'runScript', 'call.keys', true)?.position).toBe('call.keys[1]');
    expect(checkKeyList('a', 'runScript', 'call.keys', true)?.received).toBe('string');
  });
});
