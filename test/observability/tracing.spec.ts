// nest-redis-cluster:command on the real cluster: tracePromise events, context fields, redaction,
// batches, and OpenTelemetry spans parented to the context active when the command was issued.
import dc from 'node:diagnostics_channel';
import { CHANNELS, ReplyError, defineScript, traceWithOpenTelemetry, type PipelineOutcome } from '../../lib/index.js';
import { mainCluster, withCluster } from '../support/cluster-client.js';
import { describeWithServers, keySlot } from '../support/servers.js';
import { activeSpanId, otelTracing, recordCommands } from './support/otel.js';

const SPAN_KIND_CLIENT = 2;
const STATUS_ERROR = 2;

describeWithServers('nest-redis-cluster:command', () => {
  const stops: Array<() => void> = [];
  afterEach(() => {
    while (stops.length > 0) stops.pop()!();
    // Every test leaves the channels as it found them.
    expect(dc.tracingChannel(CHANNELS.COMMAND).hasSubscribers).toBe(false);
  });

  it('publishes start/end then asyncStart/asyncEnd with the node-redis/ioredis context fields', async () => {
    const recorder = recordCommands();
    stops.push(recorder.stop);
    await withCluster(async (cluster) => {
      const key = 'obs:single';
      const master = cluster.getNodeByKey(key)!;
      expect(await cluster.set(key, 'secret-value')).toBe('OK');
      const mine = recorder.events.filter((e) => e.context.command === 'SET');
      expect(mine.map((e) => e.event)).toEqual(['start', 'end', 'asyncStart', 'asyncEnd']);
      const context = mine[0]!.context;
      expect(new Set(mine.map((e) => e.context))).toEqual(new Set([context])); // one object per call
      expect(mine[0]!.snapshot).toMatchObject({
        command: 'SET',
        args: ['SET', key, '?'],
        database: 0,
        serverAddress: master.host,
        serverPort: master.port,
        nodeRole: 'master',
        slot: keySlot(key),
        redirections: 0,
        retries: 0,
      });
      expect(mine[0]!.snapshot.clientId).toMatch(/^nrc-\d+$/);
      expect('batchMode' in context).toBe(false);
      expect(context.result).toBe('OK');
      expect(JSON.stringify(recorder.events.map((e) => e.snapshot))).not.toContain('secret-value');

      // sendCommand is traced the same way, reads show their arguments.
      expect(await cluster.sendCommand(['GET', key])).toBe('secret-value');
      const get = recorder.events.find((e) => e.context.command === 'GET' && e.event === 'asyncEnd')!;
      expect(get.context.args).toEqual(['GET', key]);
      expect(get.context.result).toBe('secret-value');
    });
  });

  it('an error reply publishes error, then asyncStart/asyncEnd, and the caller still gets the typed error', async () => {
    const recorder = recordCommands();
    stops.push(recorder.stop);
    await withCluster(async (cluster) => {
      await cluster.set('obs:str', 'x');
      const failure = cluster.lPush('obs:str', 'y');
      await expect(failure).rejects.toBeInstanceOf(ReplyError);
      const mine = recorder.events.filter((e) => e.context.command === 'LPUSH');
      expect(mine.map((e) => e.event)).toEqual(['start', 'end', 'error', 'asyncStart', 'asyncEnd']);
      expect(mine[2]!.context.error).toBeInstanceOf(ReplyError);
      expect((mine[2]!.context.error as ReplyError).prefix).toBe('WRONGTYPE');
    });
  });

  it('each pipeline command is traced with batchMode PIPELINE and batchSize; a split MGET is one trace', async () => {
    const recorder = recordCommands();
    stops.push(recorder.stop);
    await withCluster(async (cluster) => {
      await cluster.set('obs:p:str', 'x');
      const outcomes: PipelineOutcome[] = await cluster.pipeline().set('obs:p:a', '1').lPush('obs:p:str', 'z').get('obs:p:a').exec();
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      // Started in order; they end as each node answers.
      const starts = recorder.events.filter((e) => e.event === 'start' && e.context.batchMode === 'PIPELINE');
      expect(starts.map((e) => [e.context.command, e.context.batchSize])).toEqual([
        ['SET', 3],
        ['LPUSH', 3],
        ['GET', 3],
      ]);
      const ends = starts.map((s) => recorder.events.filter((e) => e.context === s.context && e.event === 'asyncEnd'));
      expect(ends.map((e) => e.length)).toEqual([1, 1, 1]);
      expect(starts[1]!.context.error).toBeInstanceOf(ReplyError);
      expect(starts[2]!.context.result).toBe('1');

      const keys = ['obs:m:1', 'obs:m:2', 'obs:m:3', 'obs:m:4'];
      expect(new Set(keys.map(keySlot)).size).toBeGreaterThan(1);
      const before = recorder.events.length;
      expect(await cluster.mGet(keys)).toEqual([null, null, null, null]);
      const split = recorder.events.slice(before).filter((e) => e.event === 'start');
      expect(split).toHaveLength(1);
      expect(split[0]!.snapshot).toMatchObject({ command: 'MGET', slot: undefined, serverAddress: undefined });
    });
  });

  it('runScript is one trace (EVALSHA, routed by its keys), even when it falls back to EVAL', async () => {
    const recorder = recordCommands();
    stops.push(recorder.stop);
    await withCluster(async (cluster) => {
      const script = defineScript(`return redis.call('GET', KEYS[1]) or '${Date.now()}-${Math.random()}'`);
      await cluster.runScript(script, { keys: ['obs:script'] });
      const starts = recorder.events.filter((e) => e.event === 'start');
      expect(starts.map((e) => e.context.command)).toEqual(['EVALSHA']);
      expect(starts[0]!.snapshot).toMatchObject({ slot: keySlot('obs:script'), serverPort: cluster.getNodeByKey('obs:script')!.port });
    });
  });

  it('shows values with tracing.includeValues, and publishes nothing with tracing: false', async () => {
    const recorder = recordCommands();
    stops.push(recorder.stop);
    await withCluster(async (cluster) => {
      await cluster.set('obs:v', 'visible');
      expect(recorder.events.find((e) => e.event === 'start' && e.context.command === 'SET')!.context.args).toEqual(['SET', 'obs:v', 'visible']);
    }, { observability: { tracing: { includeValues: true } } });
    const count = recorder.events.length;
    await withCluster(async (cluster) => {
      await cluster.set('obs:v', 'hidden');
      await cluster.pipeline().get('obs:v').exec();
    }, { observability: { tracing: false } });
    expect(recorder.events.length).toBe(count);
  });

  it('OpenTelemetry: one CLIENT span per command, child of the span active at the call, with semconv attributes', async () => {
    const { tracer, spans } = otelTracing();
    stops.push(traceWithOpenTelemetry(tracer));
    const cluster = mainCluster();
    try {
      await cluster.connect();
      const key = 'obs:otel';
      const master = cluster.getNodeByKey(key)!;
      // Two concurrent requests: auto-pipelining batches their commands in one write, yet each
      // command's span has its own request as parent.
      const request = (name: string) =>
        tracer.startActiveSpan(name, async (span) => {
          const id = activeSpanId()!;
          await cluster.set(`${key}:${name}`, 'v');
          await cluster.get(`${key}:${name}`);
          await cluster.lPush(`${key}:${name}`, 'x').catch(() => undefined);
          span.end();
          return id;
        });
      const [a, b] = await Promise.all([request('a'), request('b')]);
      const finished = spans();
      for (const [name, parent] of [['a', a], ['b', b]] as const) {
        const children = finished.filter((s) => s.parentSpanContext?.spanId === parent);
        expect(children.map((s) => s.name)).toEqual(['SET', 'GET', 'LPUSH']);
        const [set, , lpush] = children;
        expect(set!.kind).toBe(SPAN_KIND_CLIENT);
        expect(set!.attributes).toMatchObject({
          'db.system.name': 'redis',
          'db.operation.name': 'SET',
          'db.query.text': `SET ${key}:${name} ?`,
          'db.namespace': '0',
          'server.address': cluster.getNodeByKey(`${key}:${name}`)!.host,
          'server.port': cluster.getNodeByKey(`${key}:${name}`)!.port,
          'redis.cluster.slot': keySlot(`${key}:${name}`),
          'redis.cluster.redirections': 0,
          'redis.cluster.retries': 0,
          'redis.cluster.node.role': 'master',
        });
        expect(lpush!.status.code).toBe(STATUS_ERROR);
        expect(lpush!.attributes['error.type']).toBe('WRONGTYPE');
        expect(lpush!.events.some((e) => e.name === 'exception')).toBe(true);
      }
      expect(master.port).toBeGreaterThan(0);

      // A pipeline's spans share the caller's parent and carry the batch size.
      const parent = await tracer.startActiveSpan('batch', async (span) => {
        await cluster.pipeline().get('obs:b1').get('obs:b2').exec();
        span.end();
        return span.spanContext().spanId;
      });
      const batch = spans().filter((s) => s.parentSpanContext?.spanId === parent);
      expect(batch.map((s) => [s.name, s.attributes['db.operation.batch.size'], s.attributes['redis.batch.mode']])).toEqual([
        ['GET', 2, 'PIPELINE'],
        ['GET', 2, 'PIPELINE'],
      ]);
    } finally {
      await cluster.close();
    }
  });
});
