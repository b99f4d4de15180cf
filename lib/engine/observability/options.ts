import { ConfigError } from '../errors/base.error.js';
import { DEFAULT_METRIC_GROUPS, METRIC_GROUPS, type MetricGroup } from './metric-names.js';
import type { MeterLike, MeterProviderLike } from './metrics-api.js';

/** Options of the `nest-redis-cluster:*` TracingChannels. */
export interface TracingOptions {
  /** Publish on the TracingChannels (only ever when something subscribes). @default true */
  enabled?: boolean;
  /**
   * Show every argument in the `args` of trace contexts. By default values of writes (and every
   * argument of commands not known to be safe, e.g. AUTH) are replaced by `?`. Credentials stay `?`
   * even when this is true: AUTH arguments, `HELLO`/`MIGRATE` AUTH user and password, `ACL SETUSER`
   * rules and `CONFIG SET` values (see `sanitizeArgs`).
   * @default false
   */
  includeValues?: boolean;
}

/** Options of the OpenTelemetry metrics. */
export interface MetricsOptions {
  /** Record metrics. @default true when the `metrics` object is given */
  enabled?: boolean;
  /**
   * The Meter to create instruments on. Default: `meterProvider.getMeter('nest-redis-cluster')`,
   * or, without either, the global one of `@opentelemetry/api` (loaded on connect(); when the
   * package is not installed, metrics are silently off).
   */
  meter?: MeterLike;
  /** A MeterProvider to take the meter from. */
  meterProvider?: MeterProviderLike;
  /**
   * Metric groups to record; see {@link MetricGroup}.
   * @default ['command', 'connection-basic', 'resiliency', 'pubsub', 'client-side-caching']
   */
  groups?: readonly MetricGroup[];
}

/**
 * The `observability` option of `createCluster` (and of the Nest module).
 * Tracing is on by default and costs nothing until something subscribes to the channels;
 * metrics are off by default.
 */
export interface ObservabilityOptions {
  /** `false` never publishes on the TracingChannels; see {@link TracingOptions}. @default true */
  tracing?: boolean | TracingOptions;
  /** `true` records metrics on the global MeterProvider; see {@link MetricsOptions}. @default false */
  metrics?: boolean | MetricsOptions;
}

/** @internal */
export interface ResolvedObservabilityOptions {
  readonly tracing: boolean;
  readonly includeValues: boolean;
  /** Undefined when metrics are off. */
  readonly metrics: { readonly meter?: MeterLike; readonly meterProvider?: MeterProviderLike; readonly groups: ReadonlySet<MetricGroup> } | undefined;
}

const TOP_KEYS = new Set(['tracing', 'metrics']);
const TRACING_KEYS = new Set(['enabled', 'includeValues']);
const METRICS_KEYS = new Set(['enabled', 'meter', 'meterProvider', 'groups']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function rejectUnknown(value: Record<string, unknown>, allowed: ReadonlySet<string>, prefix: string): void {
  for (const key of Object.keys(value)) if (!allowed.has(key)) throw new ConfigError(`${prefix}.${key}`, 'is not a known option');
}

function flag(value: unknown, option: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new ConfigError(option, 'must be a boolean');
  return value;
}

function hasMethods(value: unknown, names: readonly string[]): boolean {
  return isObject(value) && names.every((name) => typeof value[name] === 'function');
}

function resolveGroups(value: unknown): ReadonlySet<MetricGroup> {
  if (value === undefined) return new Set(DEFAULT_METRIC_GROUPS);
  if (!Array.isArray(value)) throw new ConfigError('observability.metrics.groups', `must be an array of ${METRIC_GROUPS.join(', ')}`);
  value.forEach((group: unknown, i) => {
    if (typeof group !== 'string' || !(METRIC_GROUPS as readonly string[]).includes(group)) {
      throw new ConfigError(`observability.metrics.groups[${i}]`, `must be one of ${METRIC_GROUPS.join(', ')}`);
    }
  });
  return new Set(value as MetricGroup[]);
}

/** Validates the `observability` option; every problem is a ConfigError naming the option (never its value). @internal */
export function resolveObservabilityOptions(value: unknown): ResolvedObservabilityOptions {
  if (value === undefined) return { tracing: true, includeValues: false, metrics: undefined };
  if (!isObject(value)) throw new ConfigError('observability', 'must be an object');
  rejectUnknown(value, TOP_KEYS, 'observability');

  let tracing = true;
  let includeValues = false;
  const t = value.tracing;
  if (typeof t === 'boolean') tracing = t;
  else if (isObject(t)) {
    rejectUnknown(t, TRACING_KEYS, 'observability.tracing');
    tracing = flag(t.enabled, 'observability.tracing.enabled', true);
    includeValues = flag(t.includeValues, 'observability.tracing.includeValues', false);
  } else if (t !== undefined) throw new ConfigError('observability.tracing', 'must be a boolean or an object');

  const m = value.metrics;
  let metrics: ResolvedObservabilityOptions['metrics'];
  if (m === true) metrics = { groups: new Set(DEFAULT_METRIC_GROUPS) };
  else if (isObject(m)) {
    rejectUnknown(m, METRICS_KEYS, 'observability.metrics');
    const meter = m.meter;
    if (meter !== undefined && !hasMethods(meter, ['createHistogram', 'createCounter', 'createObservableCounter', 'createObservableUpDownCounter', 'createObservableGauge'])) {
      throw new ConfigError('observability.metrics.meter', 'must be an OpenTelemetry Meter');
    }
    const provider = m.meterProvider;
    if (provider !== undefined && !hasMethods(provider, ['getMeter'])) throw new ConfigError('observability.metrics.meterProvider', 'must be an OpenTelemetry MeterProvider');
    const groups = resolveGroups(m.groups);
    if (flag(m.enabled, 'observability.metrics.enabled', true)) {
      metrics = { meter: meter as MeterLike | undefined, meterProvider: provider as MeterProviderLike | undefined, groups };
    }
  } else if (m !== undefined && m !== false) throw new ConfigError('observability.metrics', 'must be a boolean or an object');

  return { tracing, includeValues, metrics };
}
