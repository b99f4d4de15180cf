import { keySlot } from '../commands/key-slot.js';
import { kindOf, NodeConnection, textOf } from '../connection/node-connection.js';
import { ClientClosedError, CrossSlotError } from '../errors/base.error.js';
import { MovedError } from '../errors/reply.error.js';
import type { RespValue } from '../resp/types.js';
import type { AnyPubSubListener } from './listeners.js';
import { SUBSCRIBER_RECONNECT, type PubSubHost, type ShardedChannelMoved } from './pubsub-host.js';
import { unplacedRetryDelay } from './retry-timing.js';
import { CancellableTimers } from '../util/cancellable-timers.js';
import { SubscriptionSet } from './subscription-set.js';

interface ChannelState {
  readonly slot: number;
  /** Node the channel is subscribed on, undefined while it is not subscribed anywhere. */
  address: string | undefined;
  /** When it stopped being subscribed (for the gap notice). */
  lostAt: number | undefined;
  lostReason: ShardedChannelMoved['reason'] | undefined;
  previous: string | undefined;
}

/** Placement attempts (each after a refresh) of one round before the round gives up. */
const MAX_ATTEMPTS = 5;

/**
 * Sharded pub/sub: each channel is SSUBSCRIBEd on the master of its slot, over one dedicated
 * connection per master. When the server drops a channel (`sunsubscribe` push after a slot moved
 * or a failover), answers MOVED, or the connection is lost, the channel is resubscribed on the
 * slot's current owner and `channelMoved` reports how long it was unsubscribed. A channel that
 * cannot be placed again is retried on a timer (back-off up to 5 s, cancelled by close) until it
 * is placed; `unplaced()` lists such channels. Concurrent subscribes of one channel share one
 * SSUBSCRIBE (see {@link SubscriptionSet}).
 * @internal
 */
export class ShardedSubscriber {
  private readonly set: SubscriptionSet;
  private readonly states = new Map<string, ChannelState>();
  private readonly connections = new Map<string, NodeConnection>();
  private reconciling: Promise<void> | undefined;
  private reconcileAgain = false;
  private readonly sleeper = new CancellableTimers();
  private retryTimer: NodeJS.Timeout | undefined;
  /** Failed reconcile rounds in a row. */
  private failedRounds = 0;

  constructor(private readonly host: PubSubHost) {
    this.set = new SubscriptionSet((error) => this.report(error instanceof Error ? error : new Error(String(error))));
  }

  get channels(): string[] {
    return this.set.names;
  }

  /** Where each channel is subscribed now (`undefined` while it is being moved or placed). */
  placement(): Record<string, string | undefined> {
    return Object.fromEntries([...this.states].map(([channel, state]) => [channel, state.address]));
  }

  /**
   * Channels that lost their subscription (slot moved, failover, connection lost) and are not
   * subscribed anywhere yet; they are being retried. A first subscribe still in flight is not listed.
   */
  unplaced(): string[] {
    return [...this.states].filter(([channel, state]) => state.address === undefined && !this.set.isPending(channel)).map(([channel]) => channel);
  }

  subscribe(names: string[], listener: AnyPubSubListener, buffers: boolean): Promise<void> {
    const slots = [...new Set(names.map((name) => keySlot(name)))];
    if (slots.length > 1) return Promise.reject(new CrossSlotError('SSUBSCRIBE', slots));
    if (slots.length === 0) return Promise.resolve();
    const slot = slots[0]!;
    return this.set.add(names, listener, buffers, {
      send: async (fresh) => {
        const live = fresh.filter((name) => this.set.listeners.has(name));
        for (const name of live) {
          if (!this.states.has(name)) this.states.set(name, { slot, address: undefined, lostAt: undefined, lostReason: undefined, previous: undefined });
        }
        await this.host.ready();
        await this.place(live, slot, 0);
      },
      release: (emptied) => void this.forget(emptied),
    });
  }

  async unsubscribe(names: string[] | undefined, listener?: AnyPubSubListener): Promise<void> {
    const gone = (names ?? this.set.names).filter((name) => this.set.listeners.remove(name, listener));
    await this.forget(gone);
  }

  /** Re-checks every channel against the current topology and moves the misplaced ones. */
  reconcile(reason: ShardedChannelMoved['reason'] = 'topology-change'): Promise<void> {
    if (this.reconciling) {
      this.reconcileAgain = true;
      return this.reconciling;
    }
    this.reconciling = (async () => {
      const failures: Array<{ slot: number; channels: string[]; cause: Error }> = [];
      do {
        this.reconcileAgain = false;
        failures.length = 0;
        const topology = this.host.topology();
        const bySlot = new Map<number, string[]>();
        for (const [channel, state] of this.states) {
          // A first subscribe in flight places its channels itself.
          if (this.set.isPending(channel)) continue;
          const owner = topology?.shardOf(state.slot)?.master.address;
          if (state.address !== undefined && state.address === owner) continue;
          if (state.address !== undefined) this.markLost(state, reason);
          bySlot.set(state.slot, [...(bySlot.get(state.slot) ?? []), channel]);
        }
        await Promise.all(
          [...bySlot].map(([slot, channels]) =>
            this.place(channels, slot, 0).catch((error: unknown) => {
              failures.push({ slot, channels, cause: error instanceof Error ? error : new Error(String(error)) });
            }),
          ),
        );
      } while (this.reconcileAgain && !this.host.isClosed());
      if (this.host.isClosed()) return;
      this.afterRound(failures);
      await this.closeIdleConnections();
    })().finally(() => {
      this.reconciling = undefined;
    });
    return this.reconciling;
  }

  async close(): Promise<void> {
    this.sleeper.cancelAll();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const connections = [...this.connections.values()];
    this.connections.clear();
    await Promise.all(connections.map((c) => c.destroy()));
  }

  /** After a reconcile round: schedules the next one while channels are unplaced, and reports the failures. */
  private afterRound(failures: ReadonlyArray<{ slot: number; channels: string[]; cause: Error }>): void {
    const unplaced = this.unplaced();
    if (unplaced.length === 0) {
      this.failedRounds = 0;
      return;
    }
    this.failedRounds++;
    const delay = unplacedRetryDelay(this.failedRounds - 1);
    if (!this.retryTimer) {
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        if (!this.host.isClosed()) void this.reconcile();
      }, delay);
    }
    const now = Date.now();
    for (const { slot, channels, cause } of failures) {
      const lost = channels.filter((channel) => this.states.get(channel)?.address === undefined);
      if (lost.length === 0) continue;
      const since = Math.min(...lost.map((channel) => this.states.get(channel)?.lostAt ?? now));
      this.host.channelsUnplaced(lost, { slot, attempt: this.failedRounds, retryInMs: delay, cause, unsubscribedMs: now - since });
    }
  }

  /** Forgets channels left without listeners: SUNSUBSCRIBE where they are subscribed (best-effort), drop idle connections. */
  private async forget(names: string[]): Promise<void> {
    const byAddress = new Map<string, string[]>();
    for (const name of names) {
      if (this.set.listeners.has(name)) continue;
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

  /** SSUBSCRIBEs `channels` (one slot) on the slot's master, following MOVED. */
  private async place(channels: string[], slot: number, attempt: number): Promise<void> {
    if (this.host.isClosed()) throw new ClientClosedError();
    const live = channels.filter((c) => this.states.has(c));
    if (live.length === 0) return;
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
      await this.sleeper.sleep(100 * (attempt + 1));
      await this.host.refresh().catch(() => undefined);
      return this.place(live, slot, attempt + 1);
    }
    try {
      await connection.sendCommand(['SSUBSCRIBE', ...live], {
        returnBuffers: true,
        expectPushes: { kind: 'ssubscribe', count: live.length, channels: live },
      });
    } catch (error) {
      if (attempt + 1 >= MAX_ATTEMPTS || this.host.isClosed()) throw error;
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
    // Unsubscribed while the SSUBSCRIBE was in flight: take them off the server again (best-effort).
    const orphaned = live.filter((channel) => !this.states.has(channel));
    if (orphaned.length > 0) void this.sunsubscribe(connection, orphaned).catch(() => undefined);
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

  private markLost(state: ChannelState, reason: ShardedChannelMoved['reason']): void {
    if (state.address !== undefined) state.previous = state.address;
    state.address = undefined;
    if (state.lostAt === undefined) {
      state.lostAt = Date.now();
      state.lostReason = reason;
    }
  }

  /** Reports on the cluster's `error` event, unless the cluster closed. */
  private report(error: Error): void {
    if (!this.host.isClosed()) this.host.error(error);
  }

  private connectionFor(address: string, node: Parameters<PubSubHost['nodeOptions']>[0]): NodeConnection {
    const existing = this.connections.get(address);
    if (existing?.isOpen) return existing;
    const connection = new NodeConnection({ ...this.host.nodeOptions(node), reconnectStrategy: SUBSCRIBER_RECONNECT, commandTimeout: 5000 }, true);
    connection.pushBuffers = true;
    connection.resp2PubSub = true;
    connection.on('push', (frame) => this.dispatch(address, frame));
    connection.on('error', (error) => {
      if (!this.host.isClosed()) this.host.nodeError(error, address);
    });
    let wasReady = false;
    connection.on('reconnecting', () => this.lostConnection(address));
    connection.on('ready', () => {
      // After a reconnect the server has forgotten our channels: place them again.
      if (wasReady && !this.host.isClosed()) void this.reconcile('connection-lost');
      wasReady = true;
    });
    connection.on('end', () => {
      if (this.connections.get(address) !== connection) return;
      this.connections.delete(address);
      this.lostConnection(address);
      if (this.host.isClosed() || this.states.size === 0) return;
      void this.host
        .refresh()
        .catch(() => undefined)
        .then(() => (this.host.isClosed() ? undefined : this.reconcile('connection-lost')));
    });
    this.connections.set(address, connection);
    return connection;
  }

  private lostConnection(address: string): void {
    for (const state of this.states.values()) if (state.address === address) this.markLost(state, 'connection-lost');
  }

  private dispatch(address: string, frame: RespValue[]): void {
    const kind = kindOf(frame);
    if (kind === 'smessage') {
      const channel = textOf(frame[1]);
      if (this.set.listeners.deliver(channel, channel, frame[2] ?? null)) this.host.messageDelivered(true);
    } else if (kind === 'sunsubscribe') {
      // Not a confirmation of ours (those are consumed by the SUNSUBSCRIBE command): the server
      // dropped the channel because its slot moved or this node stopped being its master.
      const channel = textOf(frame[1]);
      const state = this.states.get(channel);
      if (!state || state.address !== address) return;
      this.markLost(state, 'server-unsubscribe');
      void this.host
        .refresh()
        .catch(() => undefined)
        .then(() => (this.host.isClosed() ? undefined : this.reconcile('server-unsubscribe')));
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
