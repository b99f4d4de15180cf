import { Subject, filter, type Observable } from 'rxjs';
import type { RedisCluster } from '../../engine/cluster/cluster-client.js';
import type { ClusterEvents } from '../../engine/cluster/cluster-events.js';
import type { RedisClusterEvent, RedisClusterEventType } from './redis-cluster-event.interface.js';

/**
 * The events of one cluster client as an rxjs stream (hot: subscribers see events from the moment
 * they subscribe). Inject it for the default cluster by its class, or with
 * `@InjectClusterEvents(name)` for a named one. The stream completes when the client is closed.
 *
 * @example
 * events.on('topology-change').subscribe(({ diff }) => metrics.increment('redis.topology', diff));
 */
export class RedisClusterEvents {
  private readonly subject = new Subject<RedisClusterEvent>();
  private detach: (() => void) | undefined;

  /** Every event of the cluster. */
  readonly events$: Observable<RedisClusterEvent> = this.subject.asObservable();

  /** @internal */
  constructor(
    /** Name of the cluster. */
    readonly cluster: string,
  ) {}

  /** The events of one type, narrowed. */
  on<T extends RedisClusterEventType>(type: T): Observable<Extract<RedisClusterEvent, { type: T }>> {
    return this.events$.pipe(filter((event): event is Extract<RedisClusterEvent, { type: T }> => event.type === type));
  }

  /** @internal Starts forwarding the client's events (every event of the engine's `ClusterEvents`). */
  attach(client: RedisCluster): void {
    const cluster = this.cluster;
    const next = (event: RedisClusterEvent): void => this.subject.next(event);
    // Typed against the engine's event map: an engine event without an entry here fails to compile.
    const listeners: { readonly [K in keyof ClusterEvents]: (...args: ClusterEvents[K]) => void } = {
      connect: () => next({ type: 'connect', cluster }),
      end: () => next({ type: 'end', cluster }),
      error: (error) => next({ type: 'error', cluster, error }),
      'node-error': (error, address) => next({ type: 'node-error', cluster, address, error }),
      'node-ready': (address) => next({ type: 'node-ready', cluster, address }),
      'node-reconnecting': (address, info) =>
        next({ type: 'node-reconnecting', cluster, address, attempt: info.attempt, delayMs: info.delayMs, cause: info.cause }),
      'topology-change': (diff) => next({ type: 'topology-change', cluster, diff }),
      'sharded-channel-moved': (channel, info) =>
        next({
          type: 'sharded-channel-moved',
          cluster,
          channel,
          ...(info.from !== undefined ? { from: info.from } : {}),
          to: info.to,
          unsubscribedMs: info.unsubscribedMs,
          reason: info.reason,
        }),
      'sharded-channels-unplaced': (channels, info) =>
        next({
          type: 'sharded-channels-unplaced',
          cluster,
          channels,
          slot: info.slot,
          attempt: info.attempt,
          retryInMs: info.retryInMs,
          unsubscribedMs: info.unsubscribedMs,
          cause: info.cause,
        }),
      maintenance: (event) => next({ type: 'maintenance', cluster, node: event.node, inMaintenance: event.inMaintenance, event }),
      'node-reauthenticated': (address, info) => next({ type: 'node-reauthenticated', cluster, address, durationMs: info.durationMs }),
      'reauthentication-error': (error) => next({ type: 'reauthentication-error', cluster, address: error.address, error }),
    };
    const names = Object.keys(listeners) as Array<keyof ClusterEvents>;
    for (const name of names) client.on(name, listeners[name] as never);
    this.detach = () => {
      for (const name of names) client.off(name, listeners[name] as never);
    };
  }

  /** @internal Stops forwarding and completes the stream. */
  complete(): void {
    this.detach?.();
    this.detach = undefined;
    this.subject.complete();
  }
}
