import { keySlot } from '../commands/key-slot.js';
import { kindOf, NodeConnection, textOf } from '../connection/node-connection.js';
import { CrossSlotError } from '../errors/base.error.js';
import { MovedError } from '../errors/reply.error.js';
import type { RespValue } from '../resp/types.js';
import { ListenerRegistry, type PubSubListener } from './listeners.js';
import { SUBSCRIBER_RECONNECT, type PubSubHost, type ShardedChannelMoved } from './pubsub-host.js';

interface ChannelState {
  readonly slot: number;
  /** Node the channel is subscribed on, undefined while it is not subscribed anywhere. */
  address: string | undefined;
  /** When it stopped being subscribed (for the gap notice). */
  lostAt: number | undefined;
  lostReason: ShardedChannelMoved['reason'] | undefined;
  previous: string | undefined;
}

const MAX_ATTEMPTS = 5;

/**
 * Sharded pub/sub: each channel is SSUBSCRIBEd on the master of its slot, over one dedicated
 * connection per master. When the server drops a channel (`sunsubscribe` push after a slot moved
 * or a failover), answers MOVED, or the connection is lost, the channel is resubscribed on the
 * slot's current owner and `channelMoved` reports how long it was unsubscribed.
 * @internal
 */
export class ShardedSubscriber {
  private readonly listeners: ListenerRegistry;
  private readonly states = new Map<string, ChannelState>();
  private readonly connections = new Map<string, NodeConnection>();
  private reconciling: Promise<void> | undefined;
  private reconcileAgain = false;

  constructor(private readonly host: PubSubHost) {
    this.listeners = new ListenerRegistry((error) => host.error(error instanceof Error ? error : new Error(String(error))));
  }

  get channels(): string[] {
    return this.listeners.names;
  }

  /** Where each channel is subscribed now (`undefined` while it is being moved). */
  placement(): Record<string, string | undefined> {
    return Object.fromEntries([...this.states].map(([channel, state]) => [channel, state.address]));
  }

  async subscribe(names: string[], listener: PubSubListener<string> | PubSubListener<Buffer>, buffers: boolean): Promise<void> {
    const slots = [...new Set(names.map((name) => keySlot(name)))];
    if (slots.length > 1) throw new CrossSlotError('SSUBSCRIBE', slots);
    const fresh = names.filter((name) => this.listeners.add(name, listener, buffers));
    if (fresh.length === 0) return;
    for (const name of fresh) this.states.set(name, { slot: slots[0]!, address: undefined, lostAt: undefined, lostReason: undefined, previous: undefined });
    try {
      await this.host.ready();
      await this.place(fresh, slots[0]!, 0);
    } catch (error) {
      // Not subscribed: forget this listener (a retry must not deliver twice) and the new channels.
      for (const name of names) if (this.listeners.remove(name, listener)) this.states.delete(name);
      throw error;
    }
  }

  async unsubscribe(names: string[] | undefined, listener?: PubSubListener<string> | PubSubListener<Buffer>): Promise<void> {
    const gone = (names ?? this.listeners.names).filter((name) => this.listeners.remove(name, listener));
    const byAddress = new Map<string, string[]>();
    for (const name of gone) {
      const address = this.states.get(name)?.address;
      this.states.delete(name);
      if (address) byAddress.set(address, [...(byAddress.get(address) ?? []), name]);
    }
    await Promise.all(
      [...byAddress].map(async ([address, channels]) => {
        const connection = this.connections.get(address);
        if (connection?.isReady) await this.sunsubscribe(connection, channels).catch(() => undefined);
      }),
    );
    await this.closeIdleConnections();
  }

  /** Re-checks every channel against the current topology and moves the misplaced ones. */
  reconcile(reason: ShardedChannelMoved['reason'] = 'topology-change'): Promise<void> {
    if (this.reconciling) {
      this.reconcileAgain = true;
      return this.reconciling;
    }
    this.reconciling = (async () => {
      do {
        this.reconcileAgain = false;
        const topology = this.host.topology();
        const bySlot = new Map<number, string[]>();
        for (const [channel, state] of this.states) {
          const owner = topology?.shardOf(state.slot)?.master.address;
          if (state.address !== undefined && state.address === owner) continue;
          if (state.address !== undefined) this.markLost(channel, state, reason);
          bySlot.set(state.slot, [...(bySlot.get(state.slot) ?? []), channel]);
        }
        await Promise.all([...bySlot].map(([slot, channels]) => this.place(channels, slot, 0).catch((error: Error) => this.host.error(error))));
      } while (this.reconcileAgain);
      await this.closeIdleConnections();
    })().finally(() => {
      this.reconciling = undefined;
    });
    return this.reconciling;
  }

  async close(): Promise<void> {
    // Back-off waits end now (place() then sees the client closed and stops).
    for (const [timer, wake] of this.sleeps) {
      clearTimeout(timer);
      wake();
    }
    this.sleeps.clear();
    const connections = [...this.connections.values()];
    this.connections.clear();
    await Promise.all(connections.map((c) => c.destroy()));
  }

  /** Back-off waits of place(), ended by close(). */
  private readonly sleeps = new Map<NodeJS.Timeout, () => void>();

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.sleeps.delete(timer);
        resolve();
      }, ms);
      this.sleeps.set(timer, resolve);
    });
  }

  /** SSUBSCRIBEs `channels` (one slot) on the slot's master, following MOVED. */
  private async place(channels: string[], slot: number, attempt: number): Promise<void> {
    const live = channels.filter((c) => this.states.has(c));
    if (live.length === 0 || this.host.isClosed()) return;
    const master = this.host.topology()?.shardOf(slot)?.master;
    if (!master) {
      await this.host.refresh().catch(() => undefined);
      if (attempt + 1 >= MAX_ATTEMPTS) throw new Error(`No master serves slot ${slot} for SSUBSCRIBE`);
      return this.place(live, slot, attempt + 1);
    }
    const connection = this.connectionFor(master.address, master);
    const moving = live.some((channel) => this.states.get(channel)?.lostAt !== undefined);
    if (moving && !(await this.isMaster(connection))) {
      // A stale topology (a node that has not heard of a failover yet answered the refresh) names
      // a demoted master, which would accept SSUBSCRIBE silently and never deliver: ask again.
      if (attempt + 1 >= MAX_ATTEMPTS) throw new Error(`No master confirmed for slot ${slot} to SSUBSCRIBE on`);
      await this.sleep(100 * (attempt + 1));
      await this.host.refresh().catch(() => undefined);
      return this.place(live, slot, attempt + 1);
    }
    try {
      await connection.sendCommand(['SSUBSCRIBE', ...live], {
        returnBuffers: true,
        expectPushes: { kind: 'ssubscribe', count: live.length, channels: live },
      });
    } catch (error) {
      if (attempt + 1 >= MAX_ATTEMPTS) throw error;
      if (error instanceof MovedError) {
        for (const channel of live) {
          const state = this.states.get(channel);
          if (state && state.lostAt === undefined) {
            state.lostAt = Date.now();
            state.lostReason = 'moved';
          }
        }
      }
      await this.host.refresh().catch(() => undefined);
      return this.place(live, slot, attempt + 1);
    }
    const now = Date.now();
    for (const channel of live) {
      const state = this.states.get(channel);
      if (!state) continue;
      state.address = master.address;
      if (state.lostAt !== undefined) {
        this.host.channelMoved(channel, {
          ...(state.previous ? { from: state.previous } : {}),
          to: master.address,
          unsubscribedMs: now - state.lostAt,
          reason: state.lostReason ?? 'topology-change',
        });
        state.lostAt = undefined;
        state.lostReason = undefined;
      }
    }
  }

  /** ROLE says master (any failure counts as "not confirmed"). */
  private async isMaster(connection: NodeConnection): Promise<boolean> {
    try {
      const role = await connection.sendCommand<RespValue[]>(['ROLE'], { returnBuffers: true });
      return textOf(role[0]) === 'master';
    } catch {
      return false;
    }
  }

  private markLost(channel: string, state: ChannelState, reason: ShardedChannelMoved['reason']): void {
    if (state.address !== undefined) state.previous = state.address;
    state.address = undefined;
    if (state.lostAt === undefined) {
      state.lostAt = Date.now();
      state.lostReason = reason;
    }
    void channel;
  }

  private connectionFor(address: string, node: Parameters<PubSubHost['nodeOptions']>[0]): NodeConnection {
    const existing = this.connections.get(address);
    if (existing?.isOpen) return existing;
    const connection = new NodeConnection({ ...this.host.nodeOptions(node), reconnectStrategy: SUBSCRIBER_RECONNECT, commandTimeout: 5000 }, true);
    connection.pushBuffers = true;
    connection.resp2PubSub = true;
    connection.on('push', (frame) => this.dispatch(address, frame));
    connection.on('error', (error) => this.host.error(error));
    let wasReady = false;
    connection.on('reconnecting', () => this.lostConnection(address));
    connection.on('ready', () => {
      // After a reconnect the server has forgotten our channels: place them again.
      if (wasReady) void this.reconcile('connection-lost');
      wasReady = true;
    });
    connection.on('end', () => {
      if (this.connections.get(address) !== connection) return;
      this.connections.delete(address);
      this.lostConnection(address);
      if (this.host.isClosed() || this.states.size === 0) return;
      void this.host.refresh().catch(() => undefined).then(() => this.reconcile('connection-lost'));
    });
    this.connections.set(address, connection);
    return connection;
  }

  private lostConnection(address: string): void {
    for (const [channel, state] of this.states) if (state.address === address) this.markLost(channel, state, 'connection-lost');
  }

  private dispatch(address: string, frame: RespValue[]): void {
    const kind = kindOf(frame);
    if (kind === 'smessage') {
      const channel = textOf(frame[1]);
      this.listeners.deliver(channel, channel, frame[2] ?? null);
    } else if (kind === 'sunsubscribe') {
      // Not a confirmation of ours (those are consumed by the SUNSUBSCRIBE command): the server
      // dropped the channel because its slot moved or this node stopped being its master.
      const channel = textOf(frame[1]);
      const state = this.states.get(channel);
      if (!state || state.address !== address) return;
      this.markLost(channel, state, 'server-unsubscribe');
      void this.host.refresh().catch(() => undefined).then(() => this.reconcile('server-unsubscribe'));
    }
  }

  private sunsubscribe(connection: NodeConnection, channels: string[]): Promise<unknown> {
    return connection.sendCommand(['SUNSUBSCRIBE', ...channels], {
      returnBuffers: true,
      expectPushes: { kind: 'sunsubscribe', count: channels.length, channels },
    });
  }

  private async closeIdleConnections(): Promise<void> {
    // A connection still counts as used while a channel lives there, or while a channel lost from it
    // waits to be placed again (a reconnecting connection must survive to fire its reconcile).
    const used = new Set<string | undefined>();
    for (const state of this.states.values()) {
      used.add(state.address);
      if (state.address === undefined) used.add(state.previous);
    }
    await Promise.all(
      [...this.connections].map(async ([address, connection]) => {
        if (used.has(address)) return;
        this.connections.delete(address);
        await connection.destroy();
      }),
    );
  }
}
