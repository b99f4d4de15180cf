import { RedisClusterError } from '../../engine/errors/base.error.js';

/** One decorated handler's subscription that failed at bootstrap. */
export interface FailedSubscription {
  /** `ClassName.method` of the handler. */
  readonly handler: string;
  /** `sharded`, `channel` or `pattern`. */
  readonly kind: string;
  /** How many channels (or patterns) the failed call covered. */
  readonly channels: number;
}

/**
 * `app.init()` rejects with this when a pub/sub handler (`@OnShardedMessage`, `@OnMessage`,
 * `@OnPatternMessage`) could not be subscribed at bootstrap and is not marked `optional: true`.
 * Names the cluster, the handlers and the kinds; never channel names (they may carry identifiers).
 * `cause` is the first failure.
 */
export class PubSubBootstrapError extends RedisClusterError {
  readonly code = 'ERR_REDIS_PUBSUB_BOOTSTRAP';
  /** Name of the cluster. */
  readonly cluster: string;
  readonly failed: readonly FailedSubscription[];

  constructor(cluster: string, failed: readonly FailedSubscription[], options?: { cause?: unknown }) {
    const list = failed.map((f) => `${f.handler} (${f.kind}, ${f.channels} channel(s))`).join(', ');
    const reason = options?.cause instanceof Error ? `: ${options.cause.message}` : '';
    super(
      `Redis cluster "${cluster}": the subscription(s) of ${list} failed at bootstrap${reason}. ` +
        'Mark a handler { optional: true } to start without it (it is then retried in the background).',
      options,
    );
    this.cluster = cluster;
    this.failed = failed;
  }
}
