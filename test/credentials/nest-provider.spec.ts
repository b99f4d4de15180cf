/**
 * The credentials provider comes from DI: a forRootAsync factory injects a token service whose streaming provider
 * rotates the user; every connection follows, and closing the application disposes the subscription (no socket or
 * timer left behind).
 */
import 'reflect-metadata';
import { inspect } from 'node:util';
import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Cacheable, RedisCacheService, RedisCluster, RedisClusterModule, type RedisClusterClientOptions } from 'nest-redis-cluster';
import { describeWithServers, testServers } from '../support/servers.js';
import { closeAndExpectNoLeaks, eventually, tracked, uniqueNamespace } from '../nest/support/nest-test.helpers.js';
import { connectionsOf, deleteUsers, setUser, TestStreamingProvider, total } from './credentials-helpers.js';

const SUFFIX = `${process.pid}`;
const USER_A = `nest-a-${SUFFIX}`;
const USER_B = `nest-b-${SUFFIX}`;
const PASS_A = `na-${SUFFIX}-secret`;
const PASS_B = `nb-${SUFFIX}-secret`;

/** Stands for an application's token service (Entra ID, IAM…): it owns the provider. */
@Injectable()
class TokenService {
  readonly provider = new TestStreamingProvider({ username: USER_A, password: PASS_A });
}

@Module({ providers: [TokenService], exports: [TokenService] })
class TokenModule {}

const CACHE_NAMESPACE = uniqueNamespace('creds');

@Injectable()
class Prices {
  loads = 0;

  @Cacheable({ key: 'price:{0}' })
  async price(id: string): Promise<string> {
    this.loads++;
    return `${id}:${this.loads}`;
  }
}

const ports = () => testServers().clusters.main.ports;

/** A Nest app whose cluster gets its credentials from TokenService's streaming provider (forRootAsync), with `extra` options. */
async function bootWithProvider(extra: Partial<RedisClusterClientOptions>, providers: Array<new (...args: never[]) => unknown> = []) {
  const moduleRef = await Test.createTestingModule({
    imports: [
      RedisClusterModule.forRootAsync({
        imports: [TokenModule],
        inject: [TokenService],
        useFactory: (tokens: TokenService): RedisClusterClientOptions => ({
          rootNodes: [{ socket: { host: '127.0.0.1', port: ports()[0]! } }],
          defaults: { credentialsProvider: tokens.provider },
          logging: false,
          ...extra,
        }),
      }),
    ],
    providers,
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return app;
}

describeWithServers('credentialsProvider from Nest DI', () => {
  beforeAll(async () => {
    await setUser(ports(), USER_A, PASS_A);
    await setUser(ports(), USER_B, PASS_B);
  });
  afterAll(() => deleteUsers(ports(), USER_A, USER_B));

  it('a forRootAsync factory injecting a token service supplies a streaming provider; rotation reaches every connection; shutdown disposes it', tracked(async (tracker) => {
    const app = await bootWithProvider({});
    const tokens = app.get(TokenService);
    const cluster = app.get(RedisCluster);
    expect(tokens.provider.subscribeCalls).toBe(1);
    expect(await cluster.sendCommand(['ACL', 'WHOAMI'])).toBe(USER_A);

    tokens.provider.push({ username: USER_B, password: PASS_B });
    await eventually(async () => total(await connectionsOf(ports(), USER_A)) === 0, 10_000, 'every connection on the new user');
    expect(await cluster.sendCommand(['ACL', 'WHOAMI'])).toBe(USER_B);

    expect(tokens.provider.disposed).toBe(0);
    await closeAndExpectNoLeaks(app, tracker);
    expect(tokens.provider.disposed).toBe(1);
  }), 30_000);

  it('the cache\'s namespace-token client shares the main client\'s subscription: subscribed once, both follow a rotation', tracked(async (tracker) => {
    const app = await bootWithProvider({ cache: { namespace: CACHE_NAMESPACE } }, [Prices]);
    const tokens = app.get(TokenService);
    const cache = app.get(RedisCacheService);
    const prices = app.get(Prices);

    expect(await prices.price('a')).toBe('a:1');
    await eventually(() => cache.tracksNamespaces, 10_000, 'the token tracking client'); // its connections are open
    expect(await prices.price('a')).toBe('a:1');
    expect(tokens.provider.subscribeCalls).toBe(1); // 2 when the token client subscribed on its own
    expect(inspect(cache, { depth: Infinity })).not.toContain(PASS_A);

    tokens.provider.push({ username: USER_B, password: PASS_B });
    // Every connection, the main client's and the token client's, switches: with a second
    // subscription the provider's one listener would be the token client's, and the main client's
    // connections would stay on USER_A.
    await eventually(async () => total(await connectionsOf(ports(), USER_A)) === 0, 10_000, 'every connection on the new user');
    expect(await app.get(RedisCluster).sendCommand(['ACL', 'WHOAMI'])).toBe(USER_B);

    // The cache still works after the rotation: the namespace token is read again (token client) and entries too.
    expect(await cache.evictNamespace()).toBe(true);
    expect(await prices.price('a')).toBe('a:2');
    expect(await prices.price('a')).toBe('a:2');
    expect(cache.stats().errors).toBe(0);
    expect(total(await connectionsOf(ports(), USER_A))).toBe(0);
    expect(inspect(cache, { depth: Infinity })).not.toContain(PASS_B);

    await closeAndExpectNoLeaks(app, tracker);
    expect(tokens.provider.disposed).toBe(1);
  }), 30_000);
});
