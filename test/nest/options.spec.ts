import { ConfigError, RedisClusterModule } from 'nest-redis-cluster';
import type { RedisClusterModuleOptions } from 'nest-redis-cluster';
import { resolveModuleOptions } from '../../lib/nest/redis-cluster-options.resolver.js';
import { HandleTracker } from '../support/handle-tracker.js';

const rootNodes = [{ url: 'redis://127.0.0.1:30001' }];

function optionOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).option;
  }
  throw new Error('did not throw');
}

describe('module options', () => {
  it('applies the documented defaults and strips Nest-only keys before the engine', () => {
    const resolved = resolveModuleOptions({ rootNodes, name: 'default', isGlobal: true, lazyConnect: false }, 'default');
    expect(resolved).toMatchObject({
      name: 'default',
      lazyConnect: false,
      bootstrapTimeout: 10_000,
      shutdownTimeout: 5_000,
      cache: { namespace: 'default', ttl: 60_000, keyPrefix: 'cache:', timeout: 1_000 },
      logging: { errors: true, events: true, errorSummaryInterval: 10_000 },
      seeds: ['127.0.0.1:30001'],
    });
    expect(Object.keys(resolved.engine)).toEqual(['rootNodes']);
  });

  it.each<[string, Partial<RedisClusterModuleOptions> & Record<string, unknown>]>([
    ['rootNodes', { rootNodes: [] }],
    ['maxCommandRedirections', { maxCommandRedirections: -1 }],
    ['pool.maxSize', { pool: { maxSize: 0 } }],
    ['unknownThing', { unknownThing: 1 }],
    ['lazyConnect', { lazyConnect: 'yes' as unknown as boolean }],
    ['bootstrapTimeout', { bootstrapTimeout: 0 }],
    ['shutdownTimeout', { shutdownTimeout: 1.5 }],
    ['cache.ttl', { cache: { ttl: 0 } }],
    ['cache.namespace', { cache: { namespace: 'a:b' } }],
    ['cache.serializer', { cache: { serializer: { serialize: JSON.stringify } as never } }],
    ['cache.nope', { cache: { nope: 1 } as never }],
    ['logging', { logging: 'loud' as never }],
    ['logging.errorSummaryInterval', { logging: { errorSummaryInterval: 0 } }],
    ['name', { name: 'other' }],
  ])('names the option "%s" in the ConfigError', (option, extra) => {
    expect(optionOf(() => resolveModuleOptions({ rootNodes, ...extra } as RedisClusterModuleOptions, 'default'))).toBe(option);
  });

  it('checks name and isGlobal when the module is defined', () => {
    expect(optionOf(() => RedisClusterModule.forRoot({ rootNodes, name: '' }))).toBe('name');
    expect(optionOf(() => RedisClusterModule.forRoot({ rootNodes, isGlobal: 1 as unknown as boolean }))).toBe('isGlobal');
    expect(optionOf(() => RedisClusterModule.forRootAsync({ name: 'x' }))).toBe('useFactory');
    expect(optionOf(() => RedisClusterModule.forRootAsync({ useFactory: () => ({ rootNodes }), useClass: class {} as never }))).toBe('useFactory');
  });

  it('opens no socket when the module is defined', async () => {
    // Only what defining the modules starts counts (not the timers of jest or of other tests).
    const tracker = new HandleTracker();
    try {
      tracker.run(() => {
        RedisClusterModule.forRoot({ rootNodes });
        RedisClusterModule.forRootAsync({ useFactory: () => ({ rootNodes }) });
      });
      expect(await tracker.leftovers()).toEqual({}); // (lets anything they scheduled start)
      expect(tracker.created).toBe(0); // no socket and no timer, not even a short-lived one
    } finally {
      tracker.disable();
    }
  });
});
