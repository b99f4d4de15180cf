// `npx tsx bench/observability-overhead.ts`: CPU time the observability layer adds per command,
// measured in-process on the real code path (Observability.traceCommand around a command that
// settles at once), so that the figure does not depend on a busy machine's network timing:
//  - off: tracing on but no subscriber, metrics off (what every user pays: the `active` check);
//  - empty sub: a subscriber with empty handlers (the context built and published);
//  - subscriber: traceWithOpenTelemetry on a real SDK tracer (BatchSpanProcessor to a sink);
//  - metrics: every metric group on a real MeterProvider;
//  - both.
import dc from 'node:diagnostics_channel';
import { CHANNELS } from '../lib/engine/observability/channels.js';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { Observability, type ObservabilityHost } from '../lib/engine/observability/observability.js';
import { resolveObservabilityOptions } from '../lib/engine/observability/options.js';
import { traceWithOpenTelemetry } from '../lib/engine/observability/otel-tracing.js';
import { METRIC_GROUPS } from '../lib/engine/observability/metric-names.js';
import { TypedEmitter } from '../lib/engine/util/typed-emitter.js';
import type { ClusterEvents } from '../lib/engine/cluster/cluster-events.js';

const N = Number(process.env['OVERHEAD_CALLS'] ?? 200_000);
const host: ObservabilityHost = {
  expectedNode: (slot) => (slot === undefined ? undefined : { host: '127.0.0.1', port: 7000 + (slot % 3), role: 'master' }),
  roleOf: () => 'master',
  stats: () => ({ moved: 0, ask: 0, tryAgain: 0, clusterDown: 0, connectionRetries: 0, topologyRefreshes: 1 }),
  cacheStats: () => undefined,
  connections: () => [],
};
const sinkSpans: SpanExporter = { export: (_s, done) => done({ code: 0 }), shutdown: () => Promise.resolve() };
const sinkMetrics: PushMetricExporter = { export: (_m, done) => done({ code: 0 }), forceFlush: () => Promise.resolve(), shutdown: () => Promise.resolve() };
const reply = Promise.resolve('OK');

async function measure(label: string, observability: Observability): Promise<number> {
  const argvs = [['GET', 'user:1'], ['SET', 'user:1', 'v']] as const;
  // Warm-up, then the measured loop (batches of 64 in flight, like auto-pipelined callers).
  for (let round = 0; round < 2; round++) {
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < N; i += 64) {
      const batch: Array<Promise<unknown>> = [];
      for (let j = 0; j < 64; j++) {
        const argv = argvs[j & 1]!;
        batch.push(observability.active ? observability.traceCommand(argv, undefined, () => reply) : reply);
      }
      await Promise.all(batch);
    }
    const cpu = process.cpuUsage(cpu0);
    if (round === 1) {
      const perCall = ((cpu.user + cpu.system) * 1000) / N;
      console.log(`${label.padEnd(12)} ${perCall.toFixed(0).padStart(6)} ns CPU per command`);
      return perCall;
    }
  }
  return 0;
}

async function main(): Promise<void> {
  const events = new TypedEmitter<ClusterEvents>();
  const base = await measure('baseline', new Observability(resolveObservabilityOptions({ tracing: false }), host, events));
  const off = await measure('off', new Observability(resolveObservabilityOptions(undefined), host, events));
  // A subscriber that does nothing: what building and publishing the context costs.
  const noop = () => undefined;
  const handlers = { start: noop, end: noop, asyncStart: noop, asyncEnd: noop, error: noop };
  const channel = dc.tracingChannel(CHANNELS.COMMAND);
  channel.subscribe(handlers);
  const empty = await measure('empty sub', new Observability(resolveObservabilityOptions(undefined), host, events));
  channel.unsubscribe(handlers);
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(sinkSpans)] });
  const stop = traceWithOpenTelemetry(tracerProvider.getTracer('bench'));
  const sub = await measure('subscriber', new Observability(resolveObservabilityOptions(undefined), host, events));
  stop();
  const meterProvider = new MeterProvider({ readers: [new PeriodicExportingMetricReader({ exporter: sinkMetrics, exportIntervalMillis: 1000 })] });
  const metrics = await measure('metrics', new Observability(resolveObservabilityOptions({ metrics: { meterProvider, groups: [...METRIC_GROUPS] } }), host, events));
  const stop2 = traceWithOpenTelemetry(tracerProvider.getTracer('bench'));
  const both = await measure('both', new Observability(resolveObservabilityOptions({ metrics: { meterProvider, groups: [...METRIC_GROUPS] } }), host, events));
  stop2();
  console.log(JSON.stringify({ calls: N, baseNs: base, offNs: off, emptySubscriberNs: empty, subscriberNs: sub, metricsNs: metrics, bothNs: both, offAddedNs: off - base, subscriberAddedNs: sub - base, metricsAddedNs: metrics - base, bothAddedNs: both - base }));
  await meterProvider.shutdown();
  await tracerProvider.shutdown();
}

void main();
