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
