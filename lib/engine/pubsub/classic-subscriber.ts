import { kindOf, NodeConnection, textOf } from '../connection/node-connection.js';
import type { RespValue } from '../resp/types.js';
import { ListenerRegistry, type PubSubListener } from './listeners.js';
import { SUBSCRIBER_RECONNECT, type PubSubHost } from './pubsub-host.js';

type Kind = 'channel' | 'pattern';

const COMMAND = { channel: ['SUBSCRIBE', 'UNSUBSCRIBE'], pattern: ['PSUBSCRIBE', 'PUNSUBSCRIBE'] } as const;

/**
 * Classic pub/sub in a cluster: PUBLISH reaches every node, so one dedicated connection to one node
 * carries every SUBSCRIBE and PSUBSCRIBE. It resubscribes on reconnect, and moves to another node
 * (resubscribing everything) when its node is gone.
 * @internal
 */
export class ClassicSubscriber {
  private connection: NodeConnection | undefined;
  private moves = 0;
  private moveTimer: NodeJS.Timeout | undefined;
  private readonly registries: Record<Kind, ListenerRegistry>;

  constructor(private readonly host: PubSubHost) {
    const onError = (error: unknown) => host.error(error instanceof Error ? error : new Error(String(error)));
    this.registries = { channel: new ListenerRegistry(onError), pattern: new ListenerRegistry(onError) };
  }

  /** `host:port` of the node carrying the subscriptions, if any. */
  get address(): string | undefined {
    return this.connection?.address;
  }

  get channels(): string[] {
    return this.registries.channel.names;
  }

  get patterns(): string[] {
    return this.registries.pattern.names;
  }

  async subscribe(kind: Kind, names: string[], listener: PubSubListener<string> | PubSubListener<Buffer>, buffers: boolean): Promise<void> {
    const registry = this.registries[kind];
    const fresh = names.filter((name) => registry.add(name, listener, buffers));
    if (fresh.length === 0) return;
    try {
      const connection = await this.ensureConnection();
      await connection.sendCommand([COMMAND[kind][0], ...fresh], {
        returnBuffers: true,
        expectPushes: { kind: COMMAND[kind][0].toLowerCase(), count: fresh.length, channels: fresh },
      });
    } catch (error) {
      // Not subscribed: forget this listener so that a reconnect does not retry a refused SUBSCRIBE.
      for (const name of names) registry.remove(name, listener);
      throw error;
    }
  }

  async unsubscribe(kind: Kind, names: string[] | undefined, listener?: PubSubListener<string> | PubSubListener<Buffer>): Promise<void> {
    const registry = this.registries[kind];
    const gone = (names ?? registry.names).filter((name) => registry.remove(name, listener));
    const connection = this.connection;
    if (gone.length > 0 && connection?.isReady) {
      await connection.sendCommand([COMMAND[kind][1], ...gone], {
        returnBuffers: true,
        expectPushes: { kind: COMMAND[kind][1].toLowerCase(), count: gone.length, channels: gone },
      });
    }
    if (this.channels.length === 0 && this.patterns.length === 0) await this.close();
  }

  async close(): Promise<void> {
    if (this.moveTimer) clearTimeout(this.moveTimer);
    this.moveTimer = undefined;
    const connection = this.connection;
    this.connection = undefined;
    await connection?.destroy();
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
          const names = this.registries[kind].names;
          if (names.length > 0) {
            steps.push({
              args: [COMMAND[kind][0], ...names],
              expectPushes: { kind: COMMAND[kind][0].toLowerCase(), count: names.length, channels: names },
              // A refused resubscription is reported, never fatal to the connection (no reconnect storm).
              onError: (error: Error) => {
                this.host.error(error);
                return undefined;
              },
            });
          }
        }
        return steps;
      },
    });
    connection.on('push', (frame) => this.dispatch(frame));
    connection.on('error', (error) => this.host.error(error));
    connection.on('end', () => {
      if (this.connection !== connection) return;
      // The node is gone (the strategy gave up): carry every subscription over to another node.
      this.connection = undefined;
      if (this.host.isClosed() || (this.channels.length === 0 && this.patterns.length === 0)) return;
      // Back off between moves so that a node that keeps refusing cannot cause a connection storm.
      const delay = Math.min(100 * 2 ** this.moves++, 5000);
      this.moveTimer = setTimeout(() => {
        this.moveTimer = undefined;
        if (this.host.isClosed() || this.connection) return;
        void this.host
          .refresh()
          .catch(() => undefined)
          .then(() => this.ensureConnection(connection.address))
          .then((c) => c.connect())
          .then(() => (this.moves = 0))
          .catch((error: Error) => this.host.error(error));
      }, delay);
    });
    this.connection = connection;
    return connection;
  }

  private dispatch(frame: RespValue[]): void {
    switch (kindOf(frame)) {
      case 'message': {
        const channel = textOf(frame[1]);
        this.registries.channel.deliver(channel, channel, frame[2] ?? null);
        break;
      }
      case 'pmessage': {
        const pattern = textOf(frame[1]);
        this.registries.pattern.deliver(pattern, textOf(frame[2]), frame[3] ?? null, pattern);
        break;
      }
    }
  }
}
