import { errorType } from './error-type.js';
import { ATTRS, DURATION_BUCKETS, METRICS, type MetricGroup } from './metric-names.js';
import type { CounterLike, HistogramLike, MeterLike, MetricAttributes, ObservableCallbackLike, ObservableLike } from './metrics-api.js';
import type { CommandTraceContext, RedirectKind, RetryKind } from './trace-context.js';

/** Connections of one node, as the connection metrics report them. @internal */
export interface ConnectionSnapshot {
  readonly host: string;
  readonly port: number;
  /** Open connections carrying commands (the shared one when ready, leased pool connections). */
  readonly used: number;
  /** Open pool connections waiting to be leased. */
  readonly idle: number;
  /** Commands queued or in flight on the node's shared connection. */
  readonly pending: number;
}

/** Counters the client keeps (its `stats()`). @internal */
export interface StatsSnapshot {
  readonly moved: number;
  readonly ask: number;
  readonly tryAgain: number;
  readonly clusterDown: number;
  readonly connectionRetries: number;
  readonly topologyRefreshes: number;
}

/** Client-side cache counters. @internal */
export interface CacheSnapshot {
  readonly hitCount: number;
  readonly missCount: number;
  readonly evictionCount: number;
  readonly invalidationCount: number;
  readonly size: number;
}

/** What the observable instruments read from the client when a MetricReader collects. @internal */
export interface MetricsSource {
  connections(): readonly ConnectionSnapshot[];
  stats(): StatsSnapshot;
  cacheStats(): CacheSnapshot | undefined;
}

const SYSTEM = 'redis';

/**
 * Creates the instruments of the enabled groups on a Meter and records into them. Counters that
 * the client already keeps (redirects, retries, refreshes, cache hits) are observable counters
 * read from those counts at collection time: nothing is added to the command path for them.
 * @internal
 */
export class MetricsRecorder {
  private readonly duration: HistogramLike | undefined;
  private readonly createTime: HistogramLike | undefined;
  private readonly topologyChanges: CounterLike | undefined;
  private readonly failovers: CounterLike | undefined;
  private readonly errors: CounterLike | undefined;
  private readonly maintenance: CounterLike | undefined;
  private readonly pubsubMessages: CounterLike | undefined;
  private readonly resubscribes: CounterLike | undefined;
  private readonly observables: Array<[ObservableLike, ObservableCallbackLike]> = [];
  private closed = false;

  constructor(
    meter: MeterLike,
    private readonly groups: ReadonlySet<MetricGroup>,
    private readonly source: MetricsSource,
  ) {
    const base: MetricAttributes = { [ATTRS.DB_SYSTEM]: SYSTEM };
    if (groups.has('command')) {
      this.duration = meter.createHistogram(METRICS.OPERATION_DURATION, {
        unit: 's',
        description: 'Duration of commands issued by the application, redirects and retries included',
        advice: { explicitBucketBoundaries: DURATION_BUCKETS },
      });
    }
    if (groups.has('connection-basic')) {
      this.createTime = meter.createHistogram(METRICS.CONNECTION_CREATE_TIME, {
        unit: 's',
        description: 'Time to open a connection (socket and handshake)',
        advice: { explicitBucketBoundaries: DURATION_BUCKETS },
      });
      this.observe(meter.createObservableUpDownCounter(METRICS.CONNECTION_COUNT, { unit: '{connection}', description: 'Open connections per node and state' }), (result) => {
        for (const node of this.source.connections()) {
          const pool = `${node.host}:${node.port}`;
          result.observe(node.used, { ...base, [ATTRS.POOL_NAME]: pool, [ATTRS.CONNECTION_STATE]: 'used' });
          result.observe(node.idle, { ...base, [ATTRS.POOL_NAME]: pool, [ATTRS.CONNECTION_STATE]: 'idle' });
        }
      });
    }
    if (groups.has('connection-advanced')) {
      this.observe(meter.createObservableUpDownCounter(METRICS.PENDING_REQUESTS, { unit: '{request}', description: 'Commands queued or in flight per node' }), (result) => {
        for (const node of this.source.connections()) result.observe(node.pending, { ...base, [ATTRS.POOL_NAME]: `${node.host}:${node.port}` });
      });
    }
    if (groups.has('resiliency')) {
      this.observe(meter.createObservableCounter(METRICS.REDIRECTIONS, { unit: '{redirection}', description: 'MOVED and ASK redirects followed' }), (result) => {
        const stats = this.source.stats();
        result.observe(stats.moved, { ...base, [ATTRS.REDIRECTION_KIND]: 'MOVED' satisfies RedirectKind });
        result.observe(stats.ask, { ...base, [ATTRS.REDIRECTION_KIND]: 'ASK' satisfies RedirectKind });
      });
      this.observe(meter.createObservableCounter(METRICS.RETRIES, { unit: '{retry}', description: 'Commands retried after TRYAGAIN, CLUSTERDOWN or a lost connection' }), (result) => {
        const stats = this.source.stats();
        result.observe(stats.tryAgain, { ...base, [ATTRS.RETRY_KIND]: 'TRYAGAIN' satisfies RetryKind });
        result.observe(stats.clusterDown, { ...base, [ATTRS.RETRY_KIND]: 'CLUSTERDOWN' satisfies RetryKind });
        result.observe(stats.connectionRetries, { ...base, [ATTRS.RETRY_KIND]: 'CONNECTION' satisfies RetryKind });
      });
      this.observe(meter.createObservableCounter(METRICS.TOPOLOGY_REFRESHES, { unit: '{refresh}', description: 'Completed topology loads and refreshes' }), (result) => {
        result.observe(this.source.stats().topologyRefreshes, base);
      });
      this.topologyChanges = meter.createCounter(METRICS.TOPOLOGY_CHANGES, { unit: '{change}', description: 'Topology changes applied' });
      this.failovers = meter.createCounter(METRICS.FAILOVERS, { unit: '{failover}', description: 'Nodes seen promoted to master' });
      this.errors = meter.createCounter(METRICS.ERRORS, { unit: '{error}', description: 'Errors reported by the client (error and node-error events)' });
      this.maintenance = meter.createCounter(METRICS.MAINTENANCE, { unit: '{notification}', description: 'Maintenance notifications and window events' });
    }
    if (groups.has('pubsub')) {
      this.pubsubMessages = meter.createCounter(METRICS.PUBSUB_MESSAGES, { unit: '{message}', description: 'Pub/sub messages received and delivered to listeners (once per message, whatever the number of listeners)' });
      this.resubscribes = meter.createCounter(METRICS.PUBSUB_RESUBSCRIBES, { unit: '{resubscribe}', description: 'Sharded channels resubscribed on another node' });
    }
    if (groups.has('client-side-caching')) {
      this.observe(meter.createObservableCounter(METRICS.CSC_REQUESTS, { unit: '{request}', description: 'Client-side cache lookups' }), (result) => {
        const cache = this.source.cacheStats();
        if (!cache) return;
        result.observe(cache.hitCount, { ...base, [ATTRS.CSC_RESULT]: 'hit' });
        result.observe(cache.missCount, { ...base, [ATTRS.CSC_RESULT]: 'miss' });
      });
      this.observe(meter.createObservableCounter(METRICS.CSC_EVICTIONS, { unit: '{eviction}', description: 'Client-side cache entries dropped' }), (result) => {
        const cache = this.source.cacheStats();
        if (!cache) return;
        result.observe(cache.evictionCount, { ...base, [ATTRS.CSC_REASON]: 'eviction' });
        result.observe(cache.invalidationCount, { ...base, [ATTRS.CSC_REASON]: 'invalidation' });
      });
      this.observe(meter.createObservableGauge(METRICS.CSC_ITEMS, { unit: '{item}', description: 'Entries in the client-side cache' }), (result) => {
        const cache = this.source.cacheStats();
        if (cache) result.observe(cache.size, base);
      });
    }
  }

  /** True when connection create times are recorded. */
  get recordsConnections(): boolean {
    return this.createTime !== undefined;
  }

  /** True when command durations are recorded. */
  get recordsCommands(): boolean {
    return this.duration !== undefined;
  }

  /** One command settled after `seconds`; `error` is set when it failed. */
  operation(context: CommandTraceContext, seconds: number, error: unknown): void {
    if (!this.duration || this.closed) return;
    const attributes: MetricAttributes = { [ATTRS.DB_SYSTEM]: SYSTEM, [ATTRS.DB_OPERATION]: context.command };
    if (context.serverAddress !== undefined) attributes[ATTRS.SERVER_ADDRESS] = context.serverAddress;
    if (context.serverPort !== undefined) attributes[ATTRS.SERVER_PORT] = context.serverPort;
    if (context.batchSize !== undefined) attributes[ATTRS.BATCH_SIZE] = context.batchSize;
    if (error !== undefined) attributes[ATTRS.ERROR_TYPE] = errorType(error);
    this.duration.record(seconds, attributes);
  }

  /** A connection to `host:port` became ready `seconds` after its attempt started. */
  connectionCreated(host: string, port: number, seconds: number): void {
    if (this.closed) return;
    this.createTime?.record(seconds, { [ATTRS.DB_SYSTEM]: SYSTEM, [ATTRS.POOL_NAME]: `${host}:${port}`, [ATTRS.SERVER_ADDRESS]: host, [ATTRS.SERVER_PORT]: port });
  }

  /** A topology change was applied; `promoted` nodes are now masters after having been replicas. */
  topologyChanged(promoted: number): void {
    if (this.closed) return;
    this.topologyChanges?.add(1, { [ATTRS.DB_SYSTEM]: SYSTEM });
    if (promoted > 0) this.failovers?.add(promoted, { [ATTRS.DB_SYSTEM]: SYSTEM });
  }

  /** An `error` (origin `cluster`) or `node-error` (origin `node`) event. */
  error(origin: 'cluster' | 'node', error: unknown): void {
    if (this.closed) return;
    this.errors?.add(1, { [ATTRS.DB_SYSTEM]: SYSTEM, [ATTRS.ERROR_TYPE]: errorType(error), [ATTRS.ERROR_ORIGIN]: origin });
  }

  /** A `maintenance` event of type `type`. */
  maintenanceEvent(type: string): void {
    if (this.closed) return;
    this.maintenance?.add(1, { [ATTRS.DB_SYSTEM]: SYSTEM, [ATTRS.NOTIFICATION]: type });
  }

  /** A pub/sub message was delivered (classic or sharded). */
  pubsubMessage(sharded: boolean): void {
    if (this.closed) return;
    this.pubsubMessages?.add(1, { [ATTRS.DB_SYSTEM]: SYSTEM, [ATTRS.PUBSUB_SHARDED]: sharded });
  }

  /** A sharded channel was resubscribed elsewhere. */
  resubscribed(reason: string): void {
    if (this.closed) return;
    this.resubscribes?.add(1, { [ATTRS.DB_SYSTEM]: SYSTEM, [ATTRS.RESUBSCRIBE_REASON]: reason });
  }

  /** Removes the observable callbacks (the Meter outlives the client). */
  close(): void {
    this.closed = true;
    for (const [instrument, callback] of this.observables) instrument.removeCallback(callback);
    this.observables.length = 0;
  }

  private observe(instrument: ObservableLike, callback: ObservableCallbackLike): void {
    const guarded: ObservableCallbackLike = (result) => {
      if (this.closed) return;
      callback(result);
    };
    instrument.addCallback(guarded);
    this.observables.push([instrument, guarded]);
  }
}

