/**
 * Every engine option can come from a forRootAsync factory (here one that injects ConfigService)
 * and reaches createCluster unchanged: functions and instances by identity, not copied or
 * re-created; and the reconnectStrategy function built by the factory is the one the engine calls.
 */
import 'reflect-metadata';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import {
  BasicClientSideCache,
  RedisCluster,
  RedisClusterModule,
  defineScript,
  getClusterOptionsToken,
  type ReconnectStrategy,
  type RedisClusterClientOptions,
} from 'nest-redis-cluster';
import type { ResolvedModuleOptions } from '../../lib/nest/redis-cluster-options.resolver.js';
import { getResolvedOptionsToken } from '../../lib/nest/redis-cluster.tokens.js';
import { describeWithServers } from '../support/servers.js';
import { closeAndExpectNoLeaks, closedPorts, eventually, mainRootNodes, tracked, uniqueNamespace } from './support/nest-test.helpers.js';

describeWithServers('forRootAsync passes every engine option through to createCluster', () => {
  it('a factory injecting ConfigService returns clientSideCache, maintenance options and a reconnectStrategy function; the engine gets and calls them', tracked(async (tracker) => {
    const clientName = uniqueNamespace('opts');
    const strategyCalls: Array<{ retries: number; cause: string }> = [];
    const clientSideCache = new BasicClientSideCache({ maxEntries: 100 });
    const script = defineScript('return 1');
    let returned: RedisClusterClientOptions | undefined;
    let reconnectStrategy: ReconnectStrategy | undefined;

    const moduleRef = await Test.createTestingModule({
      imports: [
        RedisClusterModule.forRootAsync({
          imports: [
            ConfigModule.forRoot({
              ignoreEnvFile: true,
              load: [() => ({ REDIS_NODES: mainRootNodes().map((n) => n.url).join(','), REDIS_RETRY_DELAY_MS: 20, REDIS_CLIENT_NAME: clientName })],
            }),
          ],
          inject: [ConfigService],
          useFactory: (config: ConfigService): RedisClusterClientOptions => {
            const delay = config.getOrThrow<number>('REDIS_RETRY_DELAY_MS');
            reconnectStrategy = (retries: number, cause: Error) => {
              strategyCalls.push({ retries, cause: cause.message });
              return retries >= 1 ? false : delay;
            };
            returned = {
              rootNodes: config.getOrThrow<string>('REDIS_NODES').split(',').map((url) => ({ url })),
              defaults: {
                name: config.getOrThrow<string>('REDIS_CLIENT_NAME'),
                commandTimeout: 2000,
                socket: { connectTimeout: 2000, reconnectStrategy },
              },
              useReplicas: false,
              maxCommandRedirections: 8,
              requireFullCoverage: true,
              topologyRefreshInterval: 60_000,
              pool: { maxSize: 4, minIdle: 0 },
              scripts: { one: script },
              clientSideCache,
              maintNotifications: 'auto',
              maintEndpointType: 'none',
              maintRelaxedCommandTimeout: 4000,
              maintRelaxedSocketTimeout: 0,
              shutdownTimeout: 1000,
              logging: false,
            };
            return returned;
          },
        }),
      ],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();

    // The factory's object is the registered options, and the engine part keeps every value by identity.
    expect(app.get(getClusterOptionsToken())).toBe(returned);
    const resolved = app.get<ResolvedModuleOptions>(getResolvedOptionsToken());
    const engine = resolved.engine as unknown as Record<string, unknown>;
    expect(Object.keys(engine).sort()).toEqual(
      [
        'rootNodes',
        'defaults',
        'useReplicas',
        'maxCommandRedirections',
        'requireFullCoverage',
        'topologyRefreshInterval',
        'pool',
        'scripts',
        'clientSideCache',
        'maintNotifications',
        'maintEndpointType',
        'maintRelaxedCommandTimeout',
        'maintRelaxedSocketTimeout',
      ].sort(),
    );
    for (const [key, value] of Object.entries(engine)) expect(value).toBe((returned as unknown as Record<string, unknown>)[key]);
    expect(resolved.engine.defaults?.socket?.reconnectStrategy).toBe(reconnectStrategy);
    expect(resolved).toMatchObject({ shutdownTimeout: 1000, logging: { errors: false, events: false } });

    // What createCluster made of them.
    const cluster = app.get(RedisCluster);
    expect(cluster.clientSideCache).toBe(clientSideCache);
    expect(cluster.options.nodeOptions('127.0.0.1', 30001).reconnectStrategy).toBe(reconnectStrategy);
    expect(await cluster.sendCommand(['CLIENT', 'GETNAME'])).toBe(clientName);

    // The engine calls the factory's function: a node that refuses connections asks it for a delay.
    const [refused] = await closedPorts(1);
    const failed = cluster
      .nodeClient(`127.0.0.1:${refused}`)
      .sendCommand(['PING'], { timeout: 1500 })
      .then(
        () => 'answered',
        (error: Error) => error.name,
      );
    await eventually(() => strategyCalls.length >= 1, 5000, 'the reconnect strategy to be called');
    expect(strategyCalls[0]).toEqual({ retries: 0, cause: expect.stringMatching(/ECONNREFUSED/) });
    // The node is not in the topology: the next refresh drops it, which ends the command.
    expect(await failed).not.toBe('answered');

    await closeAndExpectNoLeaks(app, tracker);
  }));
});
