// Nest wiring: the `observability` module option turns metrics on (and tracing off), an HTTP
// request's span is the parent of the Redis spans, and a bad option fails at bootstrap.
import 'reflect-metadata';
import { Controller, Get, Param, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { ConfigError, METRICS, RedisCluster, RedisClusterModule, traceWithOpenTelemetry } from 'nest-redis-cluster';
import { describeWithServers } from '../support/servers.js';
import { mainRootNodes } from '../nest/support/nest-test.helpers.js';
import { collect, histogramCount, otelMetrics, otelTracing } from './support/otel.js';

const tracing = otelTracing();

@Controller('obs')
class ObsController {
  constructor(private readonly redis: RedisCluster) {}

  @Get(':key')
  read(@Param('key') key: string): Promise<{ value: string | null; span: string }> {
    // Stands in for an HTTP instrumentation: the request's span is active while the handler runs.
    return tracing.tracer.startActiveSpan('GET /obs/:key', async (span) => {
      await this.redis.set(`obs:nest:${key}`, 'v');
      const value = await this.redis.get(`obs:nest:${key}`);
      span.end();
      return { value, span: span.spanContext().spanId };
    });
  }
}

async function boot(observability: object): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [RedisClusterModule.forRootAsync({ useFactory: () => ({ rootNodes: mainRootNodes(), logging: false, observability }) })],
    controllers: [ObsController],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return app;
}

describeWithServers('observability in the Nest module', () => {
  it('records metrics from the module option; Redis spans are children of the request span', async () => {
    const { provider, reader } = otelMetrics();
    const stop = traceWithOpenTelemetry(tracing.tracer);
    const app = await boot({ metrics: { meterProvider: provider, groups: ['command'] } });
    try {
      const { body } = await request(app.getHttpServer()).get('/obs/a').expect(200);
      expect(body.value).toBe('v');
      const children = tracing.spans().filter((s) => s.parentSpanContext?.spanId === body.span);
      expect(children.map((s) => s.name)).toEqual(['SET', 'GET']);
      const duration = (await collect(reader)).get(METRICS.OPERATION_DURATION);
      expect(histogramCount(duration, { 'db.operation.name': 'SET' })).toBe(1);
      expect(histogramCount(duration, { 'db.operation.name': 'GET' })).toBe(1);
    } finally {
      stop();
      await app.close();
    }
  });

  it('tracing: false publishes nothing for this module', async () => {
    const stop = traceWithOpenTelemetry(tracing.tracer);
    const app = await boot({ tracing: false });
    try {
      const { body } = await request(app.getHttpServer()).get('/obs/b').expect(200);
      expect(tracing.spans().filter((s) => s.parentSpanContext?.spanId === body.span)).toEqual([]);
    } finally {
      stop();
      await app.close();
    }
  });

  it('a bad observability option is a ConfigError at bootstrap, naming the option', async () => {
    const error = await boot({ metrics: { groups: ['all'] } }).then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).option).toBe('observability.metrics.groups[0]');
  });
});
