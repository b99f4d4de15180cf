/**
 * The part of `@opentelemetry/api`'s metrics API this client uses, as structural types: a real
 * `Meter` / `MeterProvider` fits them, and the package compiles (and its types resolve) without
 * `@opentelemetry/api` installed.
 */

/** Attribute values of a measurement. */
export type MetricAttributes = Record<string, string | number | boolean>;

/** Advice and description given when an instrument is created. */
export interface InstrumentOptions {
  description?: string;
  unit?: string;
  advice?: { explicitBucketBoundaries?: number[] };
}

export interface HistogramLike {
  record(value: number, attributes?: MetricAttributes): void;
}

export interface CounterLike {
  add(value: number, attributes?: MetricAttributes): void;
}

export interface ObservableResultLike {
  observe(value: number, attributes?: MetricAttributes): void;
}

export type ObservableCallbackLike = (result: ObservableResultLike) => void;

export interface ObservableLike {
  addCallback(callback: ObservableCallbackLike): void;
  removeCallback(callback: ObservableCallbackLike): void;
}

/** An OpenTelemetry `Meter` (from `@opentelemetry/api`). */
export interface MeterLike {
  createHistogram(name: string, options?: InstrumentOptions): HistogramLike;
  createCounter(name: string, options?: InstrumentOptions): CounterLike;
  createObservableCounter(name: string, options?: InstrumentOptions): ObservableLike;
  createObservableUpDownCounter(name: string, options?: InstrumentOptions): ObservableLike;
  createObservableGauge(name: string, options?: InstrumentOptions): ObservableLike;
}

/** An OpenTelemetry `MeterProvider`. */
export interface MeterProviderLike {
  getMeter(name: string, version?: string): MeterLike;
}
