// Argument redaction (OTel redis-common rules) and validation of the `observability` option.
import fc from 'fast-check';
import { ConfigError, REDACTED, createCluster, sanitizeArgs } from '../../lib/index.js';
import { resolveObservabilityOptions } from '../../lib/engine/observability/options.js';
import { errorType } from '../../lib/engine/observability/error-type.js';
import { ReplyError, CommandTimeoutError } from '../../lib/index.js';

describe('sanitizeArgs', () => {
  it('redacts values of writes, keeps keys, shows reads in full, hides unknown commands', () => {
    expect(sanitizeArgs(['SET', 'user:1', 's3cret', 'EX', 10])).toEqual(['SET', 'user:1', REDACTED, REDACTED, REDACTED]);
    expect(sanitizeArgs(['set', 'k', 'v'])).toEqual(['set', 'k', REDACTED]);
    expect(sanitizeArgs(['HSET', 'h', 'field', 'value'])).toEqual(['HSET', 'h', 'field', REDACTED]);
    expect(sanitizeArgs(['GET', 'user:1'])).toEqual(['GET', 'user:1']);
    expect(sanitizeArgs(['HMGET', 'a', Buffer.from('b'), 3])).toEqual(['HMGET', 'a', 'b', '3']);
    expect(sanitizeArgs(['MGET', 'a', 'b'])).toEqual(['MGET', REDACTED, REDACTED]); // not in the upstream list
    expect(sanitizeArgs(['AUTH', 'user', 'password'])).toEqual(['AUTH', REDACTED, REDACTED]);
    expect(sanitizeArgs(['ECHO', 'hello'])).toEqual(['ECHO', REDACTED]);
    expect(sanitizeArgs(['MY.MODULE', 'x'])).toEqual(['MY.MODULE', REDACTED]);
    expect(sanitizeArgs([])).toEqual([]);
  });

  it('shows every argument with includeValues', () => {
    expect(sanitizeArgs(['SET', 'k', 'v', 'PX', 5], true)).toEqual(['SET', 'k', 'v', 'PX', '5']);
  });

  it('never throws and never shows a value of a write or of an unlisted command, whatever the arguments', () => {
    const secret = fc.string({ minLength: 1 }).map((s) => `SECRET-${s}`);
    const name = fc.oneof(fc.constantFrom('SET', 'set', 'HSET', 'LPUSH', 'ZADD', 'AUTH', 'HELLO', 'ECHO', 'XADD', 'PUBLISH'), fc.string());
    const hostile = fc.oneof(secret, secret.map((s) => Buffer.from(s)), fc.anything());
    fc.assert(
      fc.property(name, fc.array(hostile, { maxLength: 8 }), (command, rest) => {
        const out = sanitizeArgs([command, ...rest]);
        expect(out).toHaveLength(rest.length + 1);
        for (const text of out) expect(typeof text).toBe('string');
        const shown = /^(HSET|HMSET|LSET|LINSERT)/i.test(command) ? 2 : /^(GETSET|LPUSH|MSET|PFA|PSETEX|PUBLISH|RPUSH|SADD|SET|SPUBLISH|XADD|ZADD)/i.test(command) ? 1 : /^(ACL|BIT|B[LRZ]|CLIENT|CLUSTER|CONFIG|COMMAND|DECR|DEL|EVAL|EX|FUNCTION|GEO|GET|HINCR|HMGET|HSCAN|INCR|L[TRLM]|MEMORY|P[EFISTU]|RPOP|S[CDIMORSU]|XACK|X[CDGILPRT]|Z[CDILMPRS])/i.test(command) ? Infinity : 0;
        out.slice(1).forEach((text, i) => {
          if (i >= shown) expect(text).toBe(REDACTED);
        });
      }),
    );
    // Non-array input.
    expect(sanitizeArgs(undefined as unknown as string[])).toEqual([]);
    expect(sanitizeArgs([{ toString: () => { throw new Error('boom'); } }, 'x'])).toEqual([REDACTED, REDACTED]);
  });
});

describe('sanitizeArgs never shows credentials, even with includeValues', () => {
  const both = [false, true];

  it('ACL SETUSER keeps the subcommand and user, redacts every rule', () => {
    for (const includeValues of both) {
      expect(sanitizeArgs(['ACL', 'SETUSER', 'app', 'on', '>newpw', '<old', '#a1b2', '!c3d4', '~*'], includeValues)).toEqual(['ACL', 'SETUSER', 'app', ...Array(6).fill(REDACTED)]);
      expect(sanitizeArgs(['acl', Buffer.from('setuser'), 'app', Buffer.from('>pw')], includeValues)).toEqual(['acl', 'setuser', 'app', REDACTED]);
    }
  });

  it('ACL DRYRUN shows its command as that command alone would be shown; other ACL subcommands are shown unless unknown', () => {
    expect(sanitizeArgs(['ACL', 'DRYRUN', 'app', 'SET', 'k', 'v'])).toEqual(['ACL', 'DRYRUN', 'app', 'SET', 'k', REDACTED]);
    expect(sanitizeArgs(['ACL', 'DRYRUN', 'app', 'SET', 'k', 'v'], true)).toEqual(['ACL', 'DRYRUN', 'app', 'SET', 'k', 'v']);
    expect(sanitizeArgs(['ACL', 'DRYRUN', 'app', 'AUTH', 'u', 'pw'], true)).toEqual(['ACL', 'DRYRUN', 'app', 'AUTH', REDACTED, REDACTED]);
    expect(sanitizeArgs(['ACL', 'DRYRUN', 'app', 'ACL', 'SETUSER', 'x', '>pw'], true)).toEqual(['ACL', 'DRYRUN', 'app', 'ACL', REDACTED, REDACTED, REDACTED]);
    expect(sanitizeArgs(['ACL', 'GETUSER', 'app'])).toEqual(['ACL', 'GETUSER', 'app']);
    expect(sanitizeArgs(['ACL', 'DELUSER', 'a', 'b'])).toEqual(['ACL', 'DELUSER', 'a', 'b']);
    expect(sanitizeArgs(['ACL', 'LOG', '10'])).toEqual(['ACL', 'LOG', '10']);
    expect(sanitizeArgs(['ACL', 'FUTURECMD', 'x', 'y'], true)).toEqual(['ACL', 'FUTURECMD', REDACTED, REDACTED]);
  });

  it('CONFIG SET keeps parameter names and redacts every value; CONFIG GET is shown', () => {
    for (const includeValues of both) {
      expect(sanitizeArgs(['CONFIG', 'SET', 'requirepass', 'pw1', 'masterauth', 'pw2', 'maxmemory', '1gb'], includeValues)).toEqual(['CONFIG', 'SET', 'requirepass', REDACTED, 'masterauth', REDACTED, 'maxmemory', REDACTED]);
      expect(sanitizeArgs(['config', 'set', 'masteruser', 'u'], includeValues)).toEqual(['config', 'set', 'masteruser', REDACTED]);
      expect(sanitizeArgs(['CONFIG', 'FUTURECMD', 'x'], includeValues)).toEqual(['CONFIG', 'FUTURECMD', REDACTED]);
    }
    expect(sanitizeArgs(['CONFIG', 'GET', 'requirepass'])).toEqual(['CONFIG', 'GET', 'requirepass']);
  });

  it('AUTH, HELLO AUTH and MIGRATE AUTH/AUTH2 never show the password', () => {
    expect(sanitizeArgs(['AUTH', 'u', 'pw'], true)).toEqual(['AUTH', REDACTED, REDACTED]);
    expect(sanitizeArgs(['HELLO', '3', 'AUTH', 'u', 'pw', 'SETNAME', 'n'], true)).toEqual(['HELLO', '3', 'AUTH', REDACTED, REDACTED, 'SETNAME', 'n']);
    // A client name that reads AUTH is SETNAME's argument, not the keyword.
    expect(sanitizeArgs(['HELLO', '3', 'SETNAME', 'AUTH', 'AUTH', 'u', 'pw'], true)).toEqual(['HELLO', '3', 'SETNAME', 'AUTH', 'AUTH', REDACTED, REDACTED]);
    expect(sanitizeArgs(['MIGRATE', 'h', '1', '', '0', '5000', 'COPY', 'AUTH', 'pw', 'KEYS', 'a'], true)).toEqual(['MIGRATE', 'h', '1', '', '0', '5000', 'COPY', 'AUTH', REDACTED, 'KEYS', 'a']);
    expect(sanitizeArgs(['MIGRATE', 'h', '1', '', '0', '5000', 'AUTH2', 'u', 'pw', 'KEYS', 'a'], true)).toEqual(['MIGRATE', 'h', '1', '', '0', '5000', 'AUTH2', REDACTED, REDACTED, 'KEYS', 'a']);
  });

  it('for any credential, argument type, letter case and includeValues, the credential is never shown', () => {
    const secret = fc.string({ minLength: 1 }).map((s) => `SECRET-${s}`);
    const carried = fc.oneof(secret, secret.map((s) => Buffer.from(s)));
    const plain = fc.string().filter((s) => !s.includes('SECRET'));
    const rule = fc.oneof(carried.map((s) => `>${s}`), carried.map((s) => `#${s}`), carried.map((s) => `!${s}`), carried.map((s) => `<${s}`), carried, plain);
    const command = fc.oneof(
      fc.tuple(fc.mixedCase(fc.constant('acl')), fc.mixedCase(fc.constant('setuser')), plain, fc.array(rule, { maxLength: 6 })).map(([a, b, user, rules]) => [a, b, user, ...rules]),
      fc.tuple(fc.mixedCase(fc.constant('config')), fc.mixedCase(fc.constant('set')), fc.array(fc.tuple(plain, carried), { maxLength: 4 })).map(([a, b, pairs]) => [a, b, ...pairs.flat()]),
      fc.tuple(fc.mixedCase(fc.constant('auth')), fc.array(carried, { maxLength: 2 })).map(([a, rest]) => [a, ...rest]),
      fc.tuple(fc.mixedCase(fc.constant('hello')), fc.constantFrom('2', '3'), fc.mixedCase(fc.constant('auth')), carried, carried).map((parts) => [...parts]),
      fc.tuple(fc.mixedCase(fc.constant('migrate')), fc.array(plain, { minLength: 5, maxLength: 5 }), fc.mixedCase(fc.constant('auth2')), carried, carried).map(([m, fixed, a, u, p]) => [m, ...fixed, a, u, p]),
    );
    fc.assert(
      fc.property(command, fc.boolean(), (argv, includeValues) => {
        const out = sanitizeArgs(argv, includeValues);
        expect(out).toHaveLength(argv.length);
        argv.forEach((value, i) => {
          if (i > 0 && String(value).includes('SECRET')) expect(out[i]).toBe(REDACTED);
        });
        expect(out.join(' ')).not.toContain('SECRET');
      }),
      { numRuns: 500 },
    );
  });
});

describe('observability option', () => {
  it('defaults: tracing on, values redacted, metrics off', () => {
    expect(resolveObservabilityOptions(undefined)).toEqual({ tracing: true, includeValues: false, metrics: undefined });
    expect(resolveObservabilityOptions({ tracing: false, metrics: false })).toEqual({ tracing: false, includeValues: false, metrics: undefined });
    const on = resolveObservabilityOptions({ metrics: { groups: ['command'] }, tracing: { includeValues: true } });
    expect(on.includeValues).toBe(true);
    expect([...on.metrics!.groups]).toEqual(['command']);
    expect(resolveObservabilityOptions({ metrics: { enabled: false } }).metrics).toBeUndefined();
  });

  it('rejects bad values with a ConfigError naming the option, never the value', () => {
    const cases: Array<[unknown, string]> = [
      ['yes', 'observability'],
      [{ tracing: 'yes' }, 'observability.tracing'],
      [{ tracing: { includeValues: 1 } }, 'observability.tracing.includeValues'],
      [{ tracing: { bogus: true } }, 'observability.tracing.bogus'],
      [{ metrics: 'password-123' }, 'observability.metrics'],
      [{ metrics: { groups: ['command', 'password-123'] } }, 'observability.metrics.groups[1]'],
      [{ metrics: { groups: 'command' } }, 'observability.metrics.groups'],
      [{ metrics: { meter: { createHistogram: 1 } } }, 'observability.metrics.meter'],
      [{ metrics: { meterProvider: {} } }, 'observability.metrics.meterProvider'],
      [{ other: 1 }, 'observability.other'],
    ];
    for (const [value, option] of cases) {
      let caught: unknown;
      try {
        resolveObservabilityOptions(value);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ConfigError);
      expect((caught as ConfigError).option).toBe(option);
      expect((caught as ConfigError).message).not.toContain('password-123');
    }
  });

  it('createCluster validates it before any socket opens', () => {
    expect(() => createCluster({ rootNodes: [{ url: 'redis://127.0.0.1:1' }], observability: { metrics: { groups: ['nope' as 'command'] } } })).toThrow(ConfigError);
  });

  it('error.type is low-cardinality and value-free', () => {
    expect(errorType(new ReplyError('WRONGTYPE Operation against a key'))).toBe('WRONGTYPE');
    expect(errorType(new ReplyError('user-secret from a script'))).toBe('ERR');
    expect(errorType(new CommandTimeoutError('GET', 10, true))).toBe('ERR_REDIS_COMMAND_TIMEOUT');
    expect(errorType(new TypeError('x'))).toBe('TypeError');
    expect(errorType('a string')).toBe('_OTHER');
  });
});

describe('traced calls with hostile arguments', () => {
  it('a subscriber changes nothing: same synchronous throw or rejection as untraced, every call settles, the context never throws', async () => {
    const { createCluster: create, CHANNELS: names } = await import('../../lib/index.js');
    const dc = await import('node:diagnostics_channel');
    const channel = dc.tracingChannel(names.COMMAND);
    let started = 0;
    const handlers = { start: () => void started++, end: () => undefined, asyncStart: () => undefined, asyncEnd: () => undefined, error: () => undefined };
    // Nothing listens on port 1: commands reject (connection refused or bad arguments), never hang.
    const cluster = create({ rootNodes: [{ url: 'redis://127.0.0.1:1' }], defaults: { commandTimeout: 200, socket: { connectTimeout: 100, reconnectStrategy: false } } });
    cluster.on('error', () => undefined);
    const outcome = async (argv: unknown[]): Promise<string> => {
      let promise: Promise<unknown>;
      try {
        promise = cluster.sendCommand(argv as never);
      } catch (error) {
        return `throw ${(error as Error).constructor.name}`;
      }
      return promise.then(
        () => 'resolved',
        (error: unknown) => `rejected ${(error as Error).constructor.name}`,
      );
    };
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.oneof(fc.anything(), fc.constant({ toString: () => { throw new Error('boom'); } })), { minLength: 1, maxLength: 5 }), async (argv) => {
          const untraced = await outcome(argv);
          channel.subscribe(handlers);
          try {
            expect(await outcome(argv)).toBe(untraced);
          } finally {
            channel.unsubscribe(handlers);
          }
        }),
        { numRuns: 40 },
      );
      // Invalid arguments are refused before any trace starts (ArgumentError); a valid call is traced.
      channel.subscribe(handlers);
      try {
        expect(await outcome(['GET', 'k'])).toMatch(/^rejected /);
      } finally {
        channel.unsubscribe(handlers);
      }
      expect(started).toBeGreaterThan(0);
    } finally {
      await cluster.close();
    }
  });
});
