// Real OpenTelemetry SDKs for the observability tests: an in-memory span exporter behind the
// AsyncLocalStorage context manager, and a pull MetricReader.
import dc from 'node:diagnostics_channel';
import { context, trace, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { MeterProvider, MetricReader, type DataPoint, type Histogram, type MetricData } from '@opentelemetry/sdk-metrics';
import { CHANNELS, type CommandTraceContext, type ConnectTraceContext } from '../../../lib/index.js';

let contextManager: AsyncLocalStorageContextManager | undefined;

/** A tracer whose finished spans land in `exporter`; the ALS context manager is installed once. */
export function otelTracing(): { tracer: Tracer; exporter: InMemorySpanExporter; spans: () => ReadableSpan[] } {
  if (!contextManager) {
    contextManager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(contextManager);
  }
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { tracer: provider.getTracer('test'), exporter, spans: () => exporter.getFinishedSpans() };
}

/** The span id of the span active now (inside startActiveSpan). */
export function activeSpanId(): string | undefined {
  return trace.getActiveSpan()?.spanContext().spanId;
}

/** A MetricReader the test collects from when it wants. */
export class PullReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** A MeterProvider with a pull reader. */
export function otelMetrics(): { provider: MeterProvider; reader: PullReader } {
  const reader = new PullReader();
  return { provider: new MeterProvider({ readers: [reader] }), reader };
}

/** Every metric collected now, by name. */
export async function collect(reader: PullReader): Promise<Map<string, MetricData>> {
  const { resourceMetrics, errors } = await reader.collect();
  if (errors.length > 0) throw errors[0];
  const out = new Map<string, MetricData>();
  for (const scope of resourceMetrics.scopeMetrics) for (const metric of scope.metrics) out.set(metric.descriptor.name, metric);
  return out;
}

/** Data points of `metric` whose attributes include `match`. */
export function points<T = number>(metric: MetricData | undefined, match: Record<string, unknown> = {}): Array<DataPoint<T>> {
  if (!metric) return [];
  return (metric.dataPoints as Array<DataPoint<T>>).filter((p) => Object.entries(match).every(([k, v]) => p.attributes[k] === v));
}

/** Sum of the values of counter points matching `match`. */
export function sum(metric: MetricData | undefined, match: Record<string, unknown> = {}): number {
  return points<number>(metric, match).reduce((total, p) => total + p.value, 0);
}

/** Total histogram count of points matching `match`. */
export function histogramCount(metric: MetricData | undefined, match: Record<string, unknown> = {}): number {
  return points<Histogram>(metric, match).reduce((total, p) => total + p.value.count, 0);
}

type Event = 'start' | 'end' | 'asyncStart' | 'asyncEnd' | 'error';

/** Records every event of a TracingChannel, with a snapshot of the context at each. */
export function recordChannel<C extends object>(name: string): { events: Array<{ event: Event; context: C; snapshot: Record<string, unknown> }>; stop: () => void } {
  const events: Array<{ event: Event; context: C; snapshot: Record<string, unknown> }> = [];
  const on = (event: Event) => (context: C) => events.push({ event, context, snapshot: { ...(context as Record<string, unknown>) } });
  const handlers = { start: on('start'), end: on('end'), asyncStart: on('asyncStart'), asyncEnd: on('asyncEnd'), error: on('error') };
  const channel = dc.tracingChannel<unknown, C>(name);
  channel.subscribe(handlers);
  return { events, stop: () => channel.unsubscribe(handlers) };
}

export const recordCommands = () => recordChannel<CommandTraceContext & object>(CHANNELS.COMMAND);
export const recordConnects = () => recordChannel<ConnectTraceContext & object>(CHANNELS.CONNECT);
