import 'reflect-metadata';
import { Controller, Get, Inject, Injectable, Module, Param, Put, Body, type INestApplication } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import {
  ConfigError,
  InjectCluster,
  RedisCacheService,
  RedisCluster,
  RedisClusterEvents,
  RedisClusterModule,
  getClusterToken,
  type RedisClusterClientOptions,
  type RedisClusterOptionsFactory,
} from 'nest-redis-cluster';
import { describeWithServers } from '../support/servers.js';
import { closeAndExpectNoLeaks, expectNoLeftovers, mainRootNodes, tracked, uniqueNamespace } from './support/nest-test.helpers.js';

const prefix = uniqueNamespace('module');

@Controller('kv')
class KvController {
  constructor(private readonly redis: RedisCluster) {}

  @Put(':key')
  async write(@Param('key') key: string, @Body() body: { value: string }): Promise<{ ok: true }> {
    await this.redis.sendCommand(['SET', `${prefix}:${key}`, body.value]);
    return { ok: true };
  }

  @Get(':key')
  async read(@Param('key') key: string): Promise<{ value: string | null }> {
    return { value: await this.redis.sendCommand<string | null>(['GET', `${prefix}:${key}`]) };
  }
}

async function bootWith(imports: NonNullable<Parameters<typeof Test.createTestingModule>[0]['imports']>, controllers: Array<new (...args: never[]) => unknown> = [KvController]): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({ imports, controllers }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return app;
}

async function roundTrip(app: INestApplication, key: string): Promise<void> {
  await request(app.getHttpServer()).put(`/kv/${key}`).send({ value: `v-${key}` }).expect(200, { ok: true });
  await request(app.getHttpServer()).get(`/kv/${key}`).expect(200, { value: `v-${key}` });
}

@Injectable()
class RedisOptionsFactory implements RedisClusterOptionsFactory {
  constructor(private readonly config: ConfigService) {}

  createRedisClusterOptions(): RedisClusterClientOptions {
    return { rootNodes: this.config.getOrThrow<string>('REDIS_NODES').split(',').map((url) => ({ url })) };
  }
}

@Module({ imports: [ConfigModule], providers: [RedisOptionsFactory], exports: [RedisOptionsFactory] })
class RedisConfigModule {}

function configModule() {
  return ConfigModule.forRoot({ ignoreEnvFile: true, load: [() => ({ REDIS_NODES: mainRootNodes().map((n) => n.url).join(',') })] });
}

describeWithServers('RedisClusterModule registration', () => {
  it('forRoot: the default cluster is injected by its class and serves HTTP requests', tracked(async (tracker) => {
    const app = await bootWith([RedisClusterModule.forRoot({ rootNodes: mainRootNodes() })]);
    expect(app.get(getClusterToken())).toBe(app.get(RedisCluster));
    expect(app.get(RedisCluster).isOpen).toBe(true);
    expect(app.get(RedisCacheService)).toBeInstanceOf(RedisCacheService);
    expect(app.get(RedisClusterEvents).cluster).toBe('default');
    await roundTrip(app, 'forRoot');
    await closeAndExpectNoLeaks(app, tracker);
  }));

  it('forRootAsync with useFactory, inject and imports of ConfigModule', tracked(async (tracker) => {
    const app = await bootWith([
      configModule(),
      RedisClusterModule.forRootAsync({
        imports: [ConfigModule],
        inject: [ConfigService],
        useFactory: (config: ConfigService) => ({ rootNodes: config.getOrThrow<string>('REDIS_NODES').split(',').map((url) => ({ url })) }),
      }),
    ]);
    await roundTrip(app, 'useFactory');
    await closeAndExpectNoLeaks(app, tracker);
  }));

  it('forRootAsync with useClass', tracked(async (tracker) => {
    const app = await bootWith([configModule(), RedisClusterModule.forRootAsync({ imports: [ConfigModule], useClass: RedisOptionsFactory })]);
    await roundTrip(app, 'useClass');
    await closeAndExpectNoLeaks(app, tracker);
  }));

  it('forRootAsync with useExisting from an imported module', tracked(async (tracker) => {
    const app = await bootWith([configModule(), RedisClusterModule.forRootAsync({ imports: [RedisConfigModule], useExisting: RedisOptionsFactory })]);
    await roundTrip(app, 'useExisting');
    await closeAndExpectNoLeaks(app, tracker);
  }));

  it('forRootAsync with extraProviders available to the factory', tracked(async (tracker) => {
    const app = await bootWith([
      RedisClusterModule.forRootAsync({
        extraProviders: [{ provide: 'REDIS_URLS', useFactory: () => mainRootNodes() }],
        inject: ['REDIS_URLS'],
        useFactory: (rootNodes: Array<{ url: string }>) => ({ rootNodes }),
      }),
    ]);
    await roundTrip(app, 'extraProviders');
    await closeAndExpectNoLeaks(app, tracker);
  }));

  it('two named clusters in one app, each injected with @InjectCluster(name)', tracked(async (tracker) => {
    @Injectable()
    class TwoClusters {
      constructor(
        @InjectCluster('orders') readonly orders: RedisCluster,
        @InjectCluster('sessions') readonly sessions: RedisCluster,
        @Inject('RedisCacheService:orders') readonly ordersCache: RedisCacheService,
      ) {}
    }
    @Module({ providers: [TwoClusters] })
    class FeatureModule {}
    const app = await bootWith(
      [
        RedisClusterModule.forRoot({ name: 'orders', rootNodes: mainRootNodes(), isGlobal: true }),
        RedisClusterModule.forRootAsync({ name: 'sessions', isGlobal: true, useFactory: () => ({ rootNodes: mainRootNodes() }) }),
        FeatureModule,
      ],
      [],
    );
    const two = app.get(TwoClusters);
    expect(two.orders).toBeInstanceOf(RedisCluster);
    expect(two.sessions).toBeInstanceOf(RedisCluster);
    expect(two.orders).not.toBe(two.sessions);
    expect(two.ordersCache.clusterName).toBe('orders');
    await two.orders.sendCommand(['SET', `${prefix}:orders`, '1']);
    expect(await two.sessions.sendCommand(['GET', `${prefix}:orders`])).toBe('1');
    expect(() => app.get(RedisCluster)).toThrow();
    await closeAndExpectNoLeaks(app, tracker);
  }));

  it('isGlobal makes the cluster injectable in modules that do not import it', tracked(async (tracker) => {
    @Module({ controllers: [KvController] })
    class KvModule {}
    const app = await bootWith([RedisClusterModule.forRoot({ rootNodes: mainRootNodes(), isGlobal: true }), KvModule], []);
    await roundTrip(app, 'global');
    await closeAndExpectNoLeaks(app, tracker);
  }));

  it('fails with a clear message when one name is registered twice', async () => {
    const compile = Test.createTestingModule({
      imports: [
        RedisClusterModule.forRoot({ name: 'dup', rootNodes: mainRootNodes() }),
        RedisClusterModule.forRoot({ name: 'dup', rootNodes: mainRootNodes(), bootstrapTimeout: 3000 }),
      ],
    }).compile();
    await expect(compile).rejects.toThrow(/cluster name "dup" is registered more than once/);
    await expect(compile).rejects.toBeInstanceOf(ConfigError);
  });

  it('validates options before any socket opens: the ConfigError names the option', tracked(async (tracker) => {
    const cases: Array<[string, () => Promise<unknown>]> = [
      ['maxCommandRedirections', () => Test.createTestingModule({ imports: [RedisClusterModule.forRoot({ rootNodes: mainRootNodes(), maxCommandRedirections: -1 })] }).compile()],
      ['bootstrapTimeout', () => Test.createTestingModule({ imports: [RedisClusterModule.forRootAsync({ useFactory: () => ({ rootNodes: mainRootNodes(), bootstrapTimeout: -1 }) })] }).compile()],
      ['cache.ttl', () => Test.createTestingModule({ imports: [RedisClusterModule.forRoot({ rootNodes: mainRootNodes(), cache: { ttl: 1.5 } })] }).compile()],
      ['rootNodes[0].url', () => Test.createTestingModule({ imports: [RedisClusterModule.forRoot({ rootNodes: [{ url: 'http://nope' }] })] }).compile()],
    ];
    for (const [option, compile] of cases) {
      const error = await compile().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).option).toBe(option);
      expect((error as Error).message).toContain(`"${option}"`);
    }
    expect(tracker.createdByKind.TCPWRAP).toBeUndefined();
    await expectNoLeftovers(tracker);
  }));
});
