import { kindOf, NodeConnection, textOf } from '../connection/node-connection.js';
import type { RespValue } from '../resp/types.js';
import type { AnyPubSubListener } from './listeners.js';
import { SUBSCRIBER_RECONNECT, type PubSubHost } from './pubsub-host.js';
import { SubscriptionSet } from './subscription-set.js';

type Kind = 'channel' | 'pattern';

const COMMAND = { channel: ['SUBSCRIBE', 'UNSUBSCRIBE'], pattern: ['PSUBSCRIBE', 'PUNSUBSCRIBE'] } as const;

/**
 * Classic pub/sub in a cluster: PUBLISH reaches every node, so one dedicated connection to one node
 * carries every SUBSCRIBE and PSUBSCRIBE. It resubscribes on reconnect, and moves to another node
 * (resubscribing everything) when its node is gone. Concurrent subscribes of one name share one
 * SUBSCRIBE (see {@link SubscriptionSet}). Nothing is emitted after the cluster closed.
 * @internal
 */
export class ClassicSubscriber {
  private connection: NodeConnection | undefined;
  private moves = 0;
  private moveTimer: NodeJS.Timeout | undefined;
  private readonly sets: Record<Kind, SubscriptionSet>;

  constructor(private readonly host: PubSubHost) {
    const onError = (error: unknown) => this.report(error instanceof Error ? error : new Error(String(error)));
    this.sets = { channel: new SubscriptionSet(onError), pattern: new SubscriptionSet(onError) };
  }

  /** `host:port` of the node carrying the subscriptions, if any. */
  get address(): string | undefined {
    return this.connection?.address;
  }

  get channels(): string[] {
    return this.sets.channel.names;
  }

  get patterns(): string[] {
    return this.sets.pattern.names;
  }

  subscribe(kind: Kind, names: string[], listener: AnyPubSubListener, buffers: boolean): Promise<void> {
    const set = this.sets[kind];
    return set.add(names, listener, buffers, {
      send: async (fresh) => {
        const connection = await this.ensureConnection();
        // Names unsubscribed while the connection was opening are not subscribed any more.
        const live = fresh.filter((name) => set.listeners.has(name));
        if (live.length === 0) return;
        await connection.sendCommand([COMMAND[kind][0], ...live], {
          returnBuffers: true,
          expectPushes: { kind: COMMAND[kind][0].toLowerCase(), count: live.length, channels: live },
        });
      },
      release: (emptied) => void this.sendUnsubscribe(kind, emptied).catch(() => undefined),
    });
  }

  async unsubscribe(kind: Kind, names: string[] | undefined, listener?: AnyPubSubListener): Promise<void> {
    const registry = this.sets[kind].listeners;
    const gone = (names ?? registry.names).filter((name) => registry.remove(name, listener));
    await this.sendUnsubscribe(kind, gone);
    if (this.channels.length === 0 && this.patterns.length === 0) await this.close();
  }

  async close(): Promise<void> {
    if (this.moveTimer) clearTimeout(this.moveTimer);
    this.moveTimer = undefined;
    const connection = this.connection;
    this.connection = undefined;
    await connection?.destroy();
  }

  private async sendUnsubscribe(kind: Kind, names: string[]): Promise<void> {
    const connection = this.connection;
    if (names.length === 0 || !connection?.isReady) return;
    await connection.sendCommand([COMMAND[kind][1], ...names], {
      returnBuffers: true,
      expectPushes: { kind: COMMAND[kind][1].toLowerCase(), count: names.length, channels: names },
    });
  }

  /** Reports on the cluster's `error` event, unless the cluster closed (nothing is emitted after close). */
  private report(error: Error): void {
    if (!this.host.isClosed()) this.host.error(error);
  }

  private async ensureConnection(avoid?: string): Promise<NodeConnection> {
    if (this.connection) return this.connection;
    await this.host.ready();
    if (this.connection) return this.connection;
    const topology = this.host.topology();
    const all = topology ? [...topology.nodes.values()] : [];
    const others = all.filter((n) => n.address !== avoid);
    const candidates = others.length > 0 ? others : all;
    const node = candidates[Math.floor(Math.random() * candidates.length)];
    if (!node) throw new Error('No node is known to subscribe on');
    const connection = new NodeConnection({ ...this.host.nodeOptions(node), reconnectStrategy: SUBSCRIBER_RECONNECT, commandTimeout: 0 }, true);
    connection.pushBuffers = true;
    connection.resp2PubSub = true;
    connection.addHandshakeExtension({
      steps: () => {
        const steps = [];
        for (const kind of ['channel', 'pattern'] as const) {
          const names = this.sets[kind].names;
          if (names.length > 0) {
            steps.push({
              args: [COMMAND[kind][0], ...names],
              expectPushes: { kind: COMMAND[kind][0].toLowerCase(), count: names.length, channels: names },
              // A refused resubscription is reported, never fatal to the connection (no reconnect storm).
              onError: (error: Error) => {
                this.report(error);
                return undefined;
              },
            });
          }
        }
        return steps;
      },
    });
    connection.on('push', (frame) => this.dispatch(frame));
    connection.on('error', (error) => {
      if (!this.host.isClosed()) this.host.nodeError(error, connection.address);
    });
    connection.on('end', () => {
      if (this.connection !== connection) return;
      // The node is gone (the strategy gave up): carry every subscription over to another node.
      this.connection = undefined;
      this.scheduleMove(connection.address);
    });
    this.connection = connection;
    return connection;
  }

  /**
   * Moves every subscription to another node than `avoid`, after a back-off (100 ms doubling up
   * to 5 s, so that nodes that keep refusing cannot cause a connection storm), and again if no
   * connection could be made. Cancelled by close.
   */
  private scheduleMove(avoid: string): void {
    if (this.host.isClosed() || this.moveTimer || (this.channels.length === 0 && this.patterns.length === 0)) return;
    const delay = Math.min(100 * 2 ** this.moves++, 5000);
    this.moveTimer = setTimeout(() => {
      this.moveTimer = undefined;
      if (this.host.isClosed() || this.connection) return;
      void this.host
        .refresh()
        .catch(() => undefined)
        .then(() => {
          if (this.host.isClosed() || this.connection) return undefined;
          return this.ensureConnection(avoid).then((c) => c.connect());
        })
        .then(
          () => (this.moves = 0),
          (error: Error) => {
            // A connection that failed reports on node-error and moves again by itself ('end');
            // without one (no node known), report it and try again later.
            if (this.connection || this.host.isClosed()) return;
            this.report(error);
            this.scheduleMove(avoid);
          },
        );
    }, delay);
  }

  private dispatch(frame: RespValue[]): void {
    switch (kindOf(frame)) {
      case 'message': {
        const channel = textOf(frame[1]);
        if (this.sets.channel.listeners.deliver(channel, channel, frame[2] ?? null)) this.host.messageDelivered(false);
        break;
      }
      case 'pmessage': {
        const pattern = textOf(frame[1]);
        if (this.sets.pattern.listeners.deliver(pattern, textOf(frame[2]), frame[3] ?? null, pattern)) this.host.messageDelivered(false);
        break;
      }
    }
  }
}
