// The observability configuration `nest-redis-cluster-otel` runs with in the bench: a real
// OpenTelemetry tracer fed by traceWithOpenTelemetry (spans batched, as in production, and exported to a sink), and
// every metric group recorded on a real MeterProvider exported every second to a sink.
import { BasicTracerProvider, BatchSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { MeterProvider, PeriodicExportingMetricReader, type PushMetricExporter, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type * as Lib from '../lib/index.js';

const sinkSpans: SpanExporter = {
  export(_spans: ReadableSpan[], done) {
    done({ code: 0 });
  },
  shutdown: () => Promise.resolve(),
};

const sinkMetrics: PushMetricExporter = {
  export(_metrics: ResourceMetrics, done) {
    done({ code: 0 });
  },
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};

/** Subscribes the tracer and returns the `observability` option with every metric group on. */
export function otelObservability(lib: typeof Lib): { options: Lib.ObservabilityOptions; stop: () => Promise<void> } {
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(sinkSpans)] });
  const unsubscribe = lib.traceWithOpenTelemetry(tracerProvider.getTracer('bench'));
  const meterProvider = new MeterProvider({ readers: [new PeriodicExportingMetricReader({ exporter: sinkMetrics, exportIntervalMillis: 1000 })] });
  return {
    options: { metrics: { meterProvider, groups: [...lib.METRIC_GROUPS] } },
    stop: async () => {
      unsubscribe();
      await meterProvider.shutdown();
      await tracerProvider.shutdown();
    },
  };
}
