// createCluster refuses the Nest-only options by name, and no configuration error (cause included)
// ever carries a URL's password.
import { describe, expect, it } from '@jest/globals';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { ConfigError, createCluster } from '../../../lib/index.js';
import { parseRedisUrl } from '../../../lib/engine/connection/redis-url.js';
import { configError } from '../support/config-error.js';

const PASSWORD = 'Pa55-s3cret';

describe('createCluster refuses the options of the Nest module', () => {
  it.each(['name', 'isGlobal', 'lazyConnect', 'bootstrapTimeout', 'shutdownTimeout', 'cache', 'logging'])('%s', (option) => {
    const error = configError(() => createCluster({ rootNodes: [{ url: 'redis://127.0.0.1:7000' }], [option]: true } as never));
    expect(error.option).toBe(option);
    expect(error.message).toMatch(/RedisClusterModule/);
  });

  it('still accepts a connection name in defaults (CLIENT SETNAME), which is an engine option', () => {
    expect(() => createCluster({ rootNodes: [{ url: 'redis://127.0.0.1:7000' }], defaults: { name: 'app' } })).not.toThrow();
  });
});

describe('an invalid URL never leaks its password', () => {
  const invalid = [
    `redis://user:${PASSWORD}@host:99999999`,
    `redis://user:${PASSWORD}@[bad-ipv6`,
    `redis://user:${PASSWORD}@ho st:1`,
    `redis://user:${PASSWORD}%ZZ@host:1`,
    `not a url ${PASSWORD}`,
    `redis://user:${PASSWORD}@host:1/5`,
    `redis://user:${PASSWORD}@host:1?db=1`,
    `http://user:${PASSWORD}@host:1`,
  ];

  it.each(invalid)('parse error of %#', (url) => {
    const error = configError(() => parseRedisUrl(url, 'rootNodes[0].url'));
    expect(error.option).toBe('rootNodes[0].url');
    expect(inspect(error, { depth: 10, showHidden: true })).not.toContain(PASSWORD);
    expect(error.cause).toBeUndefined();
  });

  it('through createCluster, with util.inspect of the whole error', () => {
    for (const url of invalid) {
      const error = configError(() => createCluster({ rootNodes: [{ url }] }));
      expect(inspect(error, { depth: 10, showHidden: true })).not.toContain(PASSWORD);
    }
  });

  it('for any URL-ish text holding the password', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (before, after) => {
        const url = `redis://u:${PASSWORD}@${before}${after}`;
        try {
          parseRedisUrl(url, 'url');
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
          expect(inspect(error, { depth: 10, showHidden: true })).not.toContain(PASSWORD);
        }
      }),
    );
  });

  it('a non-string url is a ConfigError', () => {
    expect(configError(() => parseRedisUrl(42 as never, 'url')).option).toBe('url');
  });
});
