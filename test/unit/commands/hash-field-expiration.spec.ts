// Hash field expiration commands: argv building (node-redis shapes) and option checks, without a server.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { CommandDefinition } from '../../../lib/engine/commands/command-definition.js';
import { commandInfo } from '../../../lib/engine/commands/command-info.js';
import { HASH_FIELD_EXPIRATION_COMMANDS as H } from '../../../lib/engine/commands/families/hash-field-expiration.js';
import { ArgumentError } from '../../../lib/engine/errors/index.js';
import type { RedisArgument } from '../../../lib/engine/resp/types.js';

function build(def: CommandDefinition<never[]>, ...args: unknown[]): RedisArgument[] {
  return (def as unknown as CommandDefinition).build(...args);
}

/** The error `build` throws (the client turns it into a rejection), or undefined. */
function buildError(def: unknown, ...args: unknown[]): unknown {
  try {
    (def as CommandDefinition).build(...args);
    return undefined;
  } catch (err) {
    return err;
  }
}

describe('hash field expiration: argv', () => {
  it('HGETEX with each expiration form', () => {
    expect(build(H.hGetEx, 'h', ['a', 'b'])).toEqual(['HGETEX', 'h', 'FIELDS', 2, 'a', 'b']);
    expect(build(H.hGetEx, 'h', 'a', { expiration: { type: 'EX', value: 5 } })).toEqual(['HGETEX', 'h', 'EX', 5, 'FIELDS', 1, 'a']);
    expect(build(H.hGetEx, 'h', 'a', { expiration: { type: 'PXAT', value: new Date(1234) } })).toEqual(['HGETEX', 'h', 'PXAT', 1234, 'FIELDS', 1, 'a']);
    expect(build(H.hGetEx, 'h', 'a', { expiration: { type: 'EXAT', value: new Date(5999) } })).toEqual(['HGETEX', 'h', 'EXAT', 5, 'FIELDS', 1, 'a']);
    expect(build(H.hGetEx, 'h', 'a', { expiration: 'PERSIST' })).toEqual(['HGETEX', 'h', 'PERSIST', 'FIELDS', 1, 'a']);
    expect(build(H.hGetEx, 'h', 'a', {})).toEqual(['HGETEX', 'h', 'FIELDS', 1, 'a']);
  });

  it('HSETEX from an object, a Map, tuples and a flat list, with mode and expiration', () => {
    expect(build(H.hSetEx, 'h', { a: '1', b: 2 })).toEqual(['HSETEX', 'h', 'FIELDS', 2, 'a', '1', 'b', 2]);
    expect(build(H.hSetEx, 'h', new Map([['a', '1']]), { mode: 'FXX', expiration: 'KEEPTTL' })).toEqual(['HSETEX', 'h', 'FXX', 'KEEPTTL', 'FIELDS', 1, 'a', '1']);
    expect(build(H.hSetEx, 'h', [['a', '1'], ['b', '2']], { expiration: { type: 'PX', value: 10 } })).toEqual(['HSETEX', 'h', 'PX', 10, 'FIELDS', 2, 'a', '1', 'b', '2']);
    expect(build(H.hSetEx, 'h', ['a', '1', 'b', '2'], { mode: 'FNX' })).toEqual(['HSETEX', 'h', 'FNX', 'FIELDS', 2, 'a', '1', 'b', '2']);
  });

  it('HEXPIRE family, HTTL family, HPERSIST, HGETDEL', () => {
    expect(build(H.hExpire, 'h', ['a', 'b'], 10, 'GT')).toEqual(['HEXPIRE', 'h', 10, 'GT', 'FIELDS', 2, 'a', 'b']);
    expect(build(H.hpExpire, 'h', 'a', 10)).toEqual(['HPEXPIRE', 'h', 10, 'FIELDS', 1, 'a']);
    expect(build(H.hExpireAt, 'h', 'a', new Date(10_500))).toEqual(['HEXPIREAT', 'h', 10, 'FIELDS', 1, 'a']);
    expect(build(H.hpExpireAt, 'h', 'a', 10_500, 'LT')).toEqual(['HPEXPIREAT', 'h', 10_500, 'LT', 'FIELDS', 1, 'a']);
    for (const [def, name] of [
      [H.hTTL, 'HTTL'],
      [H.hpTTL, 'HPTTL'],
      [H.hExpireTime, 'HEXPIRETIME'],
      [H.hpExpireTime, 'HPEXPIRETIME'],
      [H.hPersist, 'HPERSIST'],
      [H.hGetDel, 'HGETDEL'],
    ] as const) {
      expect(build(def as CommandDefinition<never[]>, 'h', [Buffer.from('a'), 'b'])).toEqual([name, 'h', 'FIELDS', 2, Buffer.from('a'), 'b']);
    }
  });

  it('every command routes by its key (the command table knows each one)', () => {
    const samples: Array<[unknown, unknown[]]> = [
      [H.hGetEx, ['{t}h', 'a']],
      [H.hSetEx, ['{t}h', { a: '1' }]],
      [H.hGetDel, ['{t}h', 'a']],
      [H.hExpire, ['{t}h', 'a', 1]],
      [H.hpExpire, ['{t}h', 'a', 1]],
      [H.hExpireAt, ['{t}h', 'a', 1]],
      [H.hpExpireAt, ['{t}h', 'a', 1]],
      [H.hTTL, ['{t}h', 'a']],
      [H.hpTTL, ['{t}h', 'a']],
      [H.hExpireTime, ['{t}h', 'a']],
      [H.hpExpireTime, ['{t}h', 'a']],
      [H.hPersist, ['{t}h', 'a']],
    ];
    for (const [def, args] of samples) {
      const info = commandInfo((def as CommandDefinition).build(...args));
      expect([info.name, info.known, info.keys]).toEqual([info.name, true, ['{t}h']]);
    }
    expect(commandInfo(build(H.hTTL, 'k', 'a')).readOnly).toBe(true);
    expect(commandInfo(build(H.hGetEx, 'k', 'a')).readOnly).toBe(false);
  });
});

describe('hash field expiration: hostile options', () => {
  const notInteger = fc.oneof(
    fc.double().filter((d) => !Number.isInteger(d)),
    fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
    fc.string(),
    fc.constant(null),
    fc.constant(undefined),
    fc.object(),
    fc.bigInt(),
    fc.constant(new Date(Number.NaN)),
  );

  function expectArgumentError(err: unknown, command: string, secret?: unknown): void {
    expect(err).toBeInstanceOf(ArgumentError);
    const e = err as ArgumentError;
    expect(e.code).toBe('ERR_REDIS_ARGUMENT');
    expect(e.command).toBe(command);
    if (typeof secret === 'string' && secret.length >= 4) expect(e.message).not.toContain(secret);
  }

  it('a time that is not a finite integer is refused, naming the argument, never echoing the value', () => {
    fc.assert(
      fc.property(notInteger, fc.constantFrom('hExpire', 'hpExpire', 'hExpireAt', 'hpExpireAt'), (bad, name) => {
        const err = buildError(H[name as 'hExpire'], 'h', 'f', bad);
        expectArgumentError(err, name.replace(/^h/, 'H').replace(/^Hp/, 'HP').toUpperCase(), bad);
        expect((err as ArgumentError).position).toBe(2);
      }),
    );
  });

  it('an expiration value that is not a finite integer is refused (HGETEX, HSETEX)', () => {
    fc.assert(
      fc.property(notInteger, fc.constantFrom('EX', 'PX', 'EXAT', 'PXAT'), (bad, type) => {
        const g = buildError(H.hGetEx, 'h', 'f', { expiration: { type, value: bad } });
        expectArgumentError(g, 'HGETEX', bad);
        expect((g as ArgumentError).position).toBe('options.expiration.value');
        const s = buildError(H.hSetEx, 'h', { f: 'v' }, { expiration: { type, value: bad } });
        expectArgumentError(s, 'HSETEX', bad);
      }),
    );
  });

  it('unknown modes, conditions and expiration words are refused', () => {
    fc.assert(
      fc.property(fc.anything().filter((v) => !['NX', 'XX', 'GT', 'LT', undefined].includes(v as string)), (bad) => {
        expectArgumentError(buildError(H.hExpire, 'h', 'f', 1, bad), 'HEXPIRE', bad);
      }),
    );
    fc.assert(
      fc.property(fc.anything().filter((v) => v !== 'FNX' && v !== 'FXX' && v !== undefined), (bad) => {
        expectArgumentError(buildError(H.hSetEx, 'h', { f: 'v' }, { mode: bad }), 'HSETEX', bad);
      }),
    );
    expectArgumentError(buildError(H.hGetEx, 'h', 'f', { expiration: 'KEEPTTL' }), 'HGETEX');
    expectArgumentError(buildError(H.hSetEx, 'h', { f: 'v' }, { expiration: 'PERSIST' }), 'HSETEX');
    expectArgumentError(buildError(H.hGetEx, 'h', 'f', 'EX'), 'HGETEX');
  });

  it('empty or malformed field lists are refused', () => {
    expectArgumentError(buildError(H.hTTL, 'h', []), 'HTTL');
    expectArgumentError(buildError(H.hTTL, 'h', undefined), 'HTTL');
    expectArgumentError(buildError(H.hTTL, 'h', { a: 1 }), 'HTTL');
    expectArgumentError(buildError(H.hSetEx, 'h', {}), 'HSETEX');
    expectArgumentError(buildError(H.hSetEx, 'h', []), 'HSETEX');
    expectArgumentError(buildError(H.hSetEx, 'h', ['a', '1', 'b']), 'HSETEX');
    expectArgumentError(buildError(H.hSetEx, 'h', [['a', '1'], ['b']]), 'HSETEX');
    expectArgumentError(buildError(H.hSetEx, 'h', 'a'), 'HSETEX');
  });

  it('valid integer options always build an argv with FIELDS and the right count', () => {
    fc.assert(
      fc.property(fc.integer(), fc.array(fc.string(), { minLength: 1, maxLength: 8 }), (n, fields) => {
        const argv = build(H.hpExpire, 'h', fields, n);
        expect(argv.slice(0, 5)).toEqual(['HPEXPIRE', 'h', n, 'FIELDS', fields.length]);
        expect(argv.slice(5)).toEqual(fields);
      }),
    );
  });
});
