import { Subject, filter, type Observable } from 'rxjs';
import type { RedisCluster } from '../../engine/cluster/cluster-client.js';
import type { TopologyDiff } from '../../engine/cluster/node-registry.js';
import type { MaintenanceEvent } from '../../engine/maintenance/types.js';
import type { ShardedChannelMoved } from '../../engine/pubsub/pubsub-host.js';
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

  /** @internal Starts forwarding the client's events. */
  attach(client: RedisCluster): void {
    const cluster = this.cluster;
    const next = (event: RedisClusterEvent): void => this.subject.next(event);
    const listeners = {
      connect: () => next({ type: 'connect', cluster }),
      end: () => next({ type: 'end', cluster }),
      error: (error: Error) => next({ type: 'error', cluster, error }),
      'node-error': (error: Error, address: string) => next({ type: 'node-error', cluster, address, error }),
      'node-ready': (address: string) => next({ type: 'node-ready', cluster, address }),
      'node-reconnecting': (address: string, info: { attempt: number; delayMs: number; cause: Error }) =>
        next({ type: 'node-reconnecting', cluster, address, attempt: info.attempt, delayMs: info.delayMs, cause: info.cause }),
      'topology-change': (diff: TopologyDiff) => next({ type: 'topology-change', cluster, diff }),
      'sharded-channel-moved': (channel: string, info: ShardedChannelMoved) =>
        next({
          type: 'sharded-channel-moved',
          cluster,
          channel,
          ...(info.from !== undefined ? { from: info.from } : {}),
          to: info.to,
          unsubscribedMs: info.unsubscribedMs,
          reason: info.reason,
        }),
      maintenance: (event: MaintenanceEvent) => next({ type: 'maintenance', cluster, node: event.node, inMaintenance: event.inMaintenance, event }),
    };
    client
      .on('connect', listeners.connect)
      .on('end', listeners.end)
      .on('error', listeners.error)
      .on('node-error', listeners['node-error'])
      .on('node-ready', listeners['node-ready'])
      .on('node-reconnecting', listeners['node-reconnecting'])
      .on('topology-change', listeners['topology-change'])
      .on('sharded-channel-moved', listeners['sharded-channel-moved'])
      .on('maintenance', listeners.maintenance);
    this.detach = () => {
      client
        .off('connect', listeners.connect)
        .off('end', listeners.end)
        .off('error', listeners.error)
        .off('node-error', listeners['node-error'])
        .off('node-ready', listeners['node-ready'])
        .off('node-reconnecting', listeners['node-reconnecting'])
        .off('topology-change', listeners['topology-change'])
        .off('sharded-channel-moved', listeners['sharded-channel-moved'])
        .off('maintenance', listeners.maintenance);
    };
  }

  /** @internal Stops forwarding and completes the stream. */
  complete(): void {
    this.detach?.();
    this.detach = undefined;
    this.subject.complete();
  }
}
