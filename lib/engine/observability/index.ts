// Public surface of the observability module.
export { CHANNELS } from './channels.js';
export { sanitizeArgs, REDACTED } from './sanitize-args.js';
export type { CommandTraceContext, ConnectTraceContext, BatchMode, NodeRole, RedirectKind, RetryKind } from './trace-context.js';
export type { ObservabilityOptions, TracingOptions, MetricsOptions } from './options.js';
export { METRICS, ATTRS as METRIC_ATTRIBUTES, METRIC_GROUPS, DEFAULT_METRIC_GROUPS, type MetricGroup } from './metric-names.js';
export type { MeterLike, MeterProviderLike, MetricAttributes, InstrumentOptions, HistogramLike, CounterLike, ObservableLike, ObservableResultLike, ObservableCallbackLike } from './metrics-api.js';
export { traceWithOpenTelemetry, type TracerLike, type SpanLike, type SpanAttributes, type OpenTelemetryTracingOptions } from './otel-tracing.js';
